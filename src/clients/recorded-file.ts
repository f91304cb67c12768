/**
 * The recorded client file's shape (schemas/recorded-client.schema.json), as types: shared by the catalogue (a
 * recorded client carries its file), the judge and the recorder.
 */
export const RECORDED_FORMAT = 'opencrvs-token-client/1'
export const ID_PLACEHOLDER = '<client_id>'
export const SECRET_PLACEHOLDER = '<client_secret>'
/** Any other value the recorder does not keep (only known non-secret values are written as sent). */
export const VALUE_PLACEHOLDER = '<not recorded>'

export type ParamIn = 'query' | 'json' | 'form' | 'basic'
export interface RecordedParam {
  name: string
  in: ParamIn
  value: string
}

/** One recorded client, as its file holds it. */
export interface RecordedFile {
  $schema?: string
  format: typeof RECORDED_FORMAT
  name: string
  description?: string
  recordedAt?: string
  /** auth: https://auth.<domain>; gateway: https://gateway.<domain> (the catalogue's ClientHost). */
  host: 'auth' | 'gateway'
  hostFrom?: string
  urlSetting?: string
  method: string
  path: string
  params: RecordedParam[]
  contentType: string | null
  accept: string | null
  body: 'none' | 'empty' | 'json' | 'form' | 'other'
  recordedWith?: string
}
