/** npm run docs: writes docs/requirements.md from the requirement catalogue. */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { requirementsMarkdown } from '../requirements/document.ts'

const file = fileURLToPath(new URL('../../docs/requirements.md', import.meta.url))
writeFileSync(file, requirementsMarkdown())
console.log(`written: ${file}`)
