/*
 * Reflected CRC-64 parameterised by polynomial: slicing-by-16 tables plus a
 * PCLMULQDQ carry-less-multiply folding path selected at run time.
 *
 * Representation ("reflected"): a 64-bit word w stands for the polynomial
 * sum over i of bit_i(w) * x^(63-i), i.e. bit 63 is x^0 and bit 0 is x^63.
 * A 16-byte block loaded little-endian into an XMM register stands for the
 * polynomial with bit m <-> x^(127-m); the low qword holds the high-degree
 * half. A carry-less product of two reflected 64-bit values a, b gives the
 * reflected 128-bit form of a*b*x, so every folding constant below is taken
 * as x^(n-1) mod P instead of x^n mod P.
 *
 * All folding constants are derived at start-up from the polynomial with
 * the same x^n mod P routine that implements crc64_combine, so there are no
 * magic numbers to get wrong per polynomial.
 */
#include "crc64.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC64_HAVE_X86_CLMUL 1
#include <emmintrin.h>
#include <wmmintrin.h>
#else
#define CRC64_HAVE_X86_CLMUL 0
#endif

/* Reflected polynomials. */
static const uint64_t POLY[CRC64_KIND_COUNT] = {
    0xC96C5795D7870F42ULL, /* CRC-64/XZ (ECMA-182 poly 0x42F0E1EBA9EA3693) */
    0x9A6C9329AC4BC9B5ULL, /* CRC-64/NVME (poly 0xAD93D23594C93659) */
};

struct crc64_params {
  uint64_t table[16][256];
  uint64_t x2n[128];   /* x^(2^k) mod P */
  uint64_t k1024[2];   /* fold by 1024 bits (8 x 128-bit lanes): x^(1024+63), x^(1024-1) */
  uint64_t k128[2];    /* fold by 128 bits: x^(128+63), x^(128-1) */
};

static struct crc64_params PARAMS[CRC64_KIND_COUNT];
static pthread_once_t INIT_ONCE = PTHREAD_ONCE_INIT;
static int USE_CLMUL = 0;
static int CPU_HAS_CLMUL = 0;

/* a(x) * b(x) mod P(x), reflected. Requires a != 0. (zlib's multmodp.) */
static uint64_t multmodp(uint64_t poly, uint64_t a, uint64_t b) {
  uint64_t m = (uint64_t)1 << 63;
  uint64_t p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
  }
  return p;
}

/* x^(n * 2^k) mod P, reflected. */
static uint64_t x2nmodp(const struct crc64_params *pr, uint64_t poly, uint64_t n, unsigned k) {
  uint64_t p = (uint64_t)1 << 63; /* x^0 */
  while (n) {
    if (n & 1) p = multmodp(poly, pr->x2n[k & 127], p);
    n >>= 1;
    k++;
  }
  return p;
}

static void init_kind(int kind) {
  struct crc64_params *pr = &PARAMS[kind];
  const uint64_t poly = POLY[kind];
  for (unsigned i = 0; i < 256; i++) {
    uint64_t c = i;
    for (int j = 0; j < 8; j++) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
    pr->table[0][i] = c;
  }
  for (unsigned i = 0; i < 256; i++) {
    uint64_t c = pr->table[0][i];
    for (int t = 1; t < 16; t++) {
      c = (c >> 8) ^ pr->table[0][c & 0xff];
      pr->table[t][i] = c;
    }
  }
  uint64_t p = (uint64_t)1 << 62; /* x^1 */
  pr->x2n[0] = p;
  for (int k = 1; k < 128; k++) {
    p = multmodp(poly, p, p);
    pr->x2n[k] = p;
  }
  pr->k1024[0] = x2nmodp(pr, poly, 1024 + 63, 0);
  pr->k1024[1] = x2nmodp(pr, poly, 1024 - 1, 0);
  pr->k128[0] = x2nmodp(pr, poly, 128 + 63, 0);
  pr->k128[1] = x2nmodp(pr, poly, 128 - 1, 0);
}

static void init_all(void) {
  for (int k = 0; k < CRC64_KIND_COUNT; k++) init_kind(k);
#if CRC64_HAVE_X86_CLMUL
  __builtin_cpu_init();
  CPU_HAS_CLMUL = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
#endif
  USE_CLMUL = CPU_HAS_CLMUL;
}

void crc64_init(void) { pthread_once(&INIT_ONCE, init_all); }

int crc64_accelerated(void) {
  crc64_init();
  return USE_CLMUL;
}

void crc64_force_portable(int force) {
  crc64_init();
  USE_CLMUL = force ? 0 : CPU_HAS_CLMUL;
}

static inline uint64_t load_le64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

/* Operates on the raw (non-inverted) register. */
static uint64_t table_raw(const struct crc64_params *pr, uint64_t c, const uint8_t *p, size_t len) {
  const uint64_t(*t)[256] = pr->table;
  while (len >= 16) {
    uint64_t a = load_le64(p) ^ c;
    uint64_t b = load_le64(p + 8);
    c = t[15][a & 0xff] ^ t[14][(a >> 8) & 0xff] ^ t[13][(a >> 16) & 0xff] ^
        t[12][(a >> 24) & 0xff] ^ t[11][(a >> 32) & 0xff] ^ t[10][(a >> 40) & 0xff] ^
        t[9][(a >> 48) & 0xff] ^ t[8][a >> 56] ^ t[7][b & 0xff] ^ t[6][(b >> 8) & 0xff] ^
        t[5][(b >> 16) & 0xff] ^ t[4][(b >> 24) & 0xff] ^ t[3][(b >> 32) & 0xff] ^
        t[2][(b >> 40) & 0xff] ^ t[1][(b >> 48) & 0xff] ^ t[0][b >> 56];
    p += 16;
    len -= 16;
  }
  while (len--) c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
  return c;
}

uint64_t crc64_update_table(int kind, uint64_t crc, const uint8_t *buf, size_t len) {
  crc64_init();
  if (kind < 0 || kind >= CRC64_KIND_COUNT) return crc;
  return ~table_raw(&PARAMS[kind], ~crc, buf, len);
}

#if CRC64_HAVE_X86_CLMUL
#define CLMUL_TARGET __attribute__((target("pclmul,sse2")))

CLMUL_TARGET static inline __m128i fold(__m128i x, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

/* Requires len >= 128. Operates on the raw register. */
CLMUL_TARGET static uint64_t clmul_raw(const struct crc64_params *pr, uint64_t c, const uint8_t *p,
                                       size_t len) {
  const __m128i k1024 = _mm_set_epi64x((long long)pr->k1024[1], (long long)pr->k1024[0]);
  const __m128i k128 = _mm_set_epi64x((long long)pr->k128[1], (long long)pr->k128[0]);
  const __m128i *q = (const __m128i *)(const void *)p;

  __m128i x0 = _mm_xor_si128(_mm_loadu_si128(q + 0), _mm_cvtsi64_si128((long long)c));
  __m128i x1 = _mm_loadu_si128(q + 1);
  __m128i x2 = _mm_loadu_si128(q + 2);
  __m128i x3 = _mm_loadu_si128(q + 3);
  __m128i x4 = _mm_loadu_si128(q + 4);
  __m128i x5 = _mm_loadu_si128(q + 5);
  __m128i x6 = _mm_loadu_si128(q + 6);
  __m128i x7 = _mm_loadu_si128(q + 7);
  q += 8;
  len -= 128;

  while (len >= 128) {
    x0 = _mm_xor_si128(fold(x0, k1024), _mm_loadu_si128(q + 0));
    x1 = _mm_xor_si128(fold(x1, k1024), _mm_loadu_si128(q + 1));
    x2 = _mm_xor_si128(fold(x2, k1024), _mm_loadu_si128(q + 2));
    x3 = _mm_xor_si128(fold(x3, k1024), _mm_loadu_si128(q + 3));
    x4 = _mm_xor_si128(fold(x4, k1024), _mm_loadu_si128(q + 4));
    x5 = _mm_xor_si128(fold(x5, k1024), _mm_loadu_si128(q + 5));
    x6 = _mm_xor_si128(fold(x6, k1024), _mm_loadu_si128(q + 6));
    x7 = _mm_xor_si128(fold(x7, k1024), _mm_loadu_si128(q + 7));
    q += 8;
    len -= 128;
  }

  /* Collapse the eight lanes into one. */
  __m128i x = x0;
  x = _mm_xor_si128(fold(x, k128), x1);
  x = _mm_xor_si128(fold(x, k128), x2);
  x = _mm_xor_si128(fold(x, k128), x3);
  x = _mm_xor_si128(fold(x, k128), x4);
  x = _mm_xor_si128(fold(x, k128), x5);
  x = _mm_xor_si128(fold(x, k128), x6);
  x = _mm_xor_si128(fold(x, k128), x7);

  while (len >= 16) {
    x = _mm_xor_si128(fold(x, k128), _mm_loadu_si128(q));
    q++;
    len -= 16;
  }

  /* x is congruent to everything consumed so far; its CRC (raw register 0)
   * is exactly the register value after those bytes. */
  uint8_t tmp[16];
  _mm_storeu_si128((__m128i *)(void *)tmp, x);
  c = table_raw(pr, 0, tmp, 16);
  return table_raw(pr, c, (const uint8_t *)q, len);
}
#endif

uint64_t crc64_update(int kind, uint64_t crc, const uint8_t *buf, size_t len) {
  crc64_init();
  if (kind < 0 || kind >= CRC64_KIND_COUNT) return crc;
  const struct crc64_params *pr = &PARAMS[kind];
#if CRC64_HAVE_X86_CLMUL
  if (USE_CLMUL && len >= 256) return ~clmul_raw(pr, ~crc, buf, len);
#endif
  return ~table_raw(pr, ~crc, buf, len);
}

uint64_t crc64_combine(int kind, uint64_t crc1, uint64_t crc2, uint64_t len2) {
  crc64_init();
  if (kind < 0 || kind >= CRC64_KIND_COUNT) return 0;
  if (len2 == 0) return crc1;
  const struct crc64_params *pr = &PARAMS[kind];
  if (crc1 == 0) return crc2;
  return multmodp(POLY[kind], x2nmodp(pr, POLY[kind], len2, 3), crc1) ^ crc2;
}
