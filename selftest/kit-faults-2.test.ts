/** The fault matrix, second shard (selftest/matrix.ts). */
import { defineMatrix } from './matrix.ts'

defineMatrix(1, 2)
