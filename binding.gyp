{
  "targets": [
    {
      "target_name": "crc64",
      "sources": [
        "native/crc64/crc64.c",
        "native/crc64/addon.c"
      ],
      "include_dirs": ["native/crc64"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags": ["-O3", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_c": ["-std=gnu11"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CFLAGS": ["-std=gnu11"]
      }
    }
  ]
}
