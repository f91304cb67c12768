/** The fault matrix, first shard (selftest/matrix.ts). */
import { defineMatrix } from './matrix.ts'

defineMatrix(0, 2)
