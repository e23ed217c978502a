/*
 * N-API binding for the CRC-64 kernels in crc64.c.
 *
 * exports:
 *   update(kind: 0|1, crc: bigint, buf: ArrayBufferView|ArrayBuffer): bigint
 *   updateInto(kind: 0|1, state: BigUint64Array, buf): void
 *       state[0] holds the running (finalised) CRC and is updated in place;
 *       avoids allocating a BigInt per call.
 *   updateTable(kind, crc, buf): bigint    -- slicing-by-16 only (tests)
 *   combine(kind, crc1: bigint, crc2: bigint, len2: bigint|number): bigint
 *   accelerated: boolean                   -- PCLMULQDQ path in use
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <stdint.h>
#include <stdio.h>

#include "crc64.h"

#define CHECK(env, call)                                                 \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      throw_last(env, #call);                                            \
      return NULL;                                                       \
    }                                                                    \
  } while (0)

static void throw_last(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char msg[256];
  snprintf(msg, sizeof msg, "crc64: %s failed: %s", what,
           info && info->error_message ? info->error_message : "unknown error");
  napi_throw_error(env, NULL, msg);
}

static int get_kind(napi_env env, napi_value v, int *kind) {
  int32_t k = -1;
  if (napi_get_value_int32(env, v, &k) != napi_ok || k < 0 || k >= CRC64_KIND_COUNT) {
    napi_throw_range_error(env, NULL, "crc64: kind must be 0 (xz/ecma182) or 1 (nvme)");
    return 0;
  }
  *kind = k;
  return 1;
}

static int get_u64(napi_env env, napi_value v, uint64_t *out, const char *name) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_bigint) {
    bool lossless = false;
    if (napi_get_value_bigint_uint64(env, v, out, &lossless) != napi_ok || !lossless) {
      char msg[128];
      snprintf(msg, sizeof msg, "crc64: %s must be a bigint in [0, 2^64)", name);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
    return 1;
  }
  if (t == napi_number) {
    double d = 0;
    napi_get_value_double(env, v, &d);
    if (!(d >= 0) || d > 9007199254740991.0 || d != (double)(uint64_t)d) {
      char msg[128];
      snprintf(msg, sizeof msg, "crc64: %s must be a non-negative safe integer", name);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
    *out = (uint64_t)d;
    return 1;
  }
  char msg[128];
  snprintf(msg, sizeof msg, "crc64: %s must be a bigint or number", name);
  napi_throw_type_error(env, NULL, msg);
  return 0;
}

static size_t elem_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

static int get_bytes(napi_env env, napi_value v, const uint8_t **data, size_t *len) {
  bool is = false;
  void *p = NULL;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t n = 0;
    if (napi_get_typedarray_info(env, v, &type, &n, &p, NULL, NULL) != napi_ok) return 0;
    *data = (const uint8_t *)p;
    *len = n * elem_size(type);
    return 1;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    size_t n = 0;
    if (napi_get_dataview_info(env, v, &n, &p, NULL, NULL) != napi_ok) return 0;
    *data = (const uint8_t *)p;
    *len = n;
    return 1;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) {
    size_t n = 0;
    if (napi_get_arraybuffer_info(env, v, &p, &n) != napi_ok) return 0;
    *data = (const uint8_t *)p;
    *len = n;
    return 1;
  }
  napi_throw_type_error(env, NULL, "crc64: data must be a Buffer, TypedArray, DataView or ArrayBuffer");
  return 0;
}

static napi_value do_update(napi_env env, napi_callback_info info, int table_only) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "crc64: update(kind, crc, data) needs 3 arguments");
    return NULL;
  }
  int kind;
  uint64_t crc;
  const uint8_t *data = NULL;
  size_t len = 0;
  if (!get_kind(env, argv[0], &kind) || !get_u64(env, argv[1], &crc, "crc") ||
      !get_bytes(env, argv[2], &data, &len))
    return NULL;
  crc = table_only ? crc64_update_table(kind, crc, data, len) : crc64_update(kind, crc, data, len);
  napi_value out;
  CHECK(env, napi_create_bigint_uint64(env, crc, &out));
  return out;
}

static napi_value js_update(napi_env env, napi_callback_info info) { return do_update(env, info, 0); }

static napi_value js_update_table(napi_env env, napi_callback_info info) {
  return do_update(env, info, 1);
}

static napi_value js_update_into(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "crc64: updateInto(kind, state, data) needs 3 arguments");
    return NULL;
  }
  int kind;
  if (!get_kind(env, argv[0], &kind)) return NULL;
  bool is = false;
  napi_typedarray_type type;
  size_t n = 0;
  void *sp = NULL;
  if (napi_is_typedarray(env, argv[1], &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, argv[1], &type, &n, &sp, NULL, NULL) != napi_ok ||
      type != napi_biguint64_array || n < 1) {
    napi_throw_type_error(env, NULL, "crc64: state must be a BigUint64Array of length >= 1");
    return NULL;
  }
  const uint8_t *data = NULL;
  size_t len = 0;
  if (!get_bytes(env, argv[2], &data, &len)) return NULL;
  uint64_t *state = (uint64_t *)sp;
  *state = crc64_update(kind, *state, data, len);
  return NULL;
}

static napi_value js_combine(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "crc64: combine(kind, crc1, crc2, len2) needs 4 arguments");
    return NULL;
  }
  int kind;
  uint64_t a, b, len2;
  if (!get_kind(env, argv[0], &kind) || !get_u64(env, argv[1], &a, "crc1") ||
      !get_u64(env, argv[2], &b, "crc2") || !get_u64(env, argv[3], &len2, "len2"))
    return NULL;
  napi_value out;
  CHECK(env, napi_create_bigint_uint64(env, crc64_combine(kind, a, b, len2), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  crc64_init();
  napi_value accel;
  if (napi_get_boolean(env, crc64_accelerated() != 0, &accel) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"update", NULL, js_update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"updateInto", NULL, js_update_into, NULL, NULL, NULL, napi_enumerable, NULL},
      {"updateTable", NULL, js_update_table, NULL, NULL, NULL, napi_enumerable, NULL},
      {"combine", NULL, js_combine, NULL, NULL, NULL, napi_enumerable, NULL},
      {"accelerated", NULL, NULL, NULL, NULL, accel, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    throw_last(env, "napi_define_properties");
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
