/*
 * Reflected CRC-64 (init = xorout = all ones) parameterised by polynomial.
 *
 * Two variants are provided:
 *   CRC64_KIND_XZ   (0): CRC-64/XZ, a.k.a. "CRC-64/ECMA-182" as used by Aliyun
 *                        OSS (x-oss-hash-crc64ecma) and Tencent COS
 *                        (x-cos-hash-crc64ecma); normal poly 0x42F0E1EBA9EA3693,
 *                        reflected 0xC96C5795D7870F42, check 0x995DC9BBDF1939FA.
 *   CRC64_KIND_NVME (1): CRC-64/NVME as used by AWS S3 (x-amz-checksum-crc64nvme);
 *                        normal poly 0xAD93D23594C93659, reflected
 *                        0x9A6C9329AC4BC9B5, check 0xAE8B14860A799888.
 *
 * All values crossing this interface are *finalised* CRC values (zlib style):
 * start with 0, feed crc64_update(kind, crc, buf, len) successively.
 */
#ifndef STRATUS_CRC64_H
#define STRATUS_CRC64_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CRC64_KIND_XZ 0
#define CRC64_KIND_NVME 1
#define CRC64_KIND_COUNT 2

/* Initialise tables and folding constants (idempotent, thread-safe). */
void crc64_init(void);

/* Returns 1 if the carry-less-multiply (PCLMULQDQ) path is in use. */
int crc64_accelerated(void);

/* Force the table path (for testing); pass 0 to re-enable acceleration if
 * the CPU supports it. */
void crc64_force_portable(int force);

uint64_t crc64_update(int kind, uint64_t crc, const uint8_t *buf, size_t len);

/* Table-only (slicing-by-16) implementation, always available. */
uint64_t crc64_update_table(int kind, uint64_t crc, const uint8_t *buf, size_t len);

/* crc(A || B) from crc(A), crc(B) and len(B), without touching the data. */
uint64_t crc64_combine(int kind, uint64_t crc1, uint64_t crc2, uint64_t len2);

#ifdef __cplusplus
}
#endif

#endif
