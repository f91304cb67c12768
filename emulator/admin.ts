/** Emulator control, not part of OpenCRVS: the client lifecycle over HTTP, for loopback callers only. */
import type Hapi from '@hapi/hapi'
import type { ClientRegistry } from './clients.ts'

const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1']

export function adminRoute(server: Hapi.Server, admin: ClientRegistry['admin']): void {
  server.route({
    method: 'POST',
    path: '/__emulator/clients/{id}/{action}',
    handler: (request, h) => {
      if (!LOOPBACK.includes(request.info.remoteAddress))
        return h.response({ error: 'emulator control is loopback-only' }).code(403)
      const { id, action } = request.params as { id: string; action: string }
      try {
        if (action === 'rotate') return { client_id: id, client_secret: admin.rotate(id) }
        if (action === 'deactivate' || action === 'activate' || action === 'delete') {
          ;(action === 'delete' ? admin.remove : admin[action])(id)
          return { client_id: id, done: action }
        }
        return h.response({ error: `unknown action ${action}: rotate, deactivate, activate or delete` }).code(404)
      } catch (e) {
        return h.response({ error: (e as Error).message }).code(404)
      }
    },
  })
}
