/** npm run docs: writes docs/requirements.md from the requirement catalogue. */
import { writeFileSync } from 'node:fs'
import { requirementsMarkdown } from '../requirements/document.ts'

const file = new URL('../../docs/requirements.md', import.meta.url).pathname
writeFileSync(file, requirementsMarkdown())
console.log(`written: ${file}`)
