/**
 * Reading a file a user or a folder names, safely: only a regular file (a FIFO, a device such as /dev/zero, a socket
 * or a folder is refused, even behind a symbolic link), opened without blocking (a FIFO with no writer cannot hang the
 * kit), and at most `max` bytes read (a file that grows or lies about its size cannot fill memory).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'

export class UnsafeFileError extends Error {}

/** The file's text, or UnsafeFileError saying why it was refused (not a regular file, over `max` bytes). */
export function readBounded(path: string, max: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new UnsafeFileError(`not a regular file (${kindOf(st)})`)
    if (st.size > max) throw new UnsafeFileError(`over ${max} bytes`)
    const buf = Buffer.alloc(max + 1)
    let got = 0
    while (got <= max) {
      const n = readSync(fd, buf, got, max + 1 - got, null)
      if (n === 0) break
      got += n
    }
    if (got > max) throw new UnsafeFileError(`over ${max} bytes`)
    return buf.subarray(0, got).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a folder'
  if (st.isFIFO()) return 'a named pipe'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isSocket()) return 'a socket'
  return 'not a plain file'
}
