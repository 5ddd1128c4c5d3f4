/* Shared by the CO-RE corpus: section and CO-RE helper macros of our own.
 * The test helper pastes this file in place of `#include "core.h"`, so the
 * object cache key covers it. */
#ifndef BTFKIT_CORE_H
#define BTFKIT_CORE_H

#define SEC(name) __attribute__((section(name), used))
#define __pai __attribute__((preserve_access_index))
#define __noinline __attribute__((noinline))
#define LICENSE_GPL char _license[] SEC("license") = "GPL"

typedef signed char s8;
typedef unsigned char u8;
typedef short s16;
typedef unsigned short u16;
typedef int s32;
typedef unsigned int u32;
typedef long long s64;
typedef unsigned long long u64;

/* __builtin_preserve_field_info kinds */
#define FI_BYTE_OFFSET 0
#define FI_BYTE_SIZE 1
#define FI_EXISTS 2
#define FI_SIGNED 3
#define FI_LSHIFT_U64 4
#define FI_RSHIFT_U64 5

#define field_off(f) __builtin_preserve_field_info(f, FI_BYTE_OFFSET)
#define field_size(f) __builtin_preserve_field_info(f, FI_BYTE_SIZE)
#define field_exists(f) __builtin_preserve_field_info(f, FI_EXISTS)
#define field_signed(f) __builtin_preserve_field_info(f, FI_SIGNED)
#define field_lshift(f) __builtin_preserve_field_info(f, FI_LSHIFT_U64)
#define field_rshift(f) __builtin_preserve_field_info(f, FI_RSHIFT_U64)

/* __builtin_btf_type_id: 0 local id, 1 target id (both ldimm64) */
#define type_id_local(T) __builtin_btf_type_id(*(typeof(T) *)0, 0)
#define type_id_target(T) __builtin_btf_type_id(*(typeof(T) *)0, 1)

/* __builtin_preserve_type_info: 0 exists, 1 size, 2 matches (clang 15 and later) */
#define type_exists(T) __builtin_preserve_type_info(*(typeof(T) *)0, 0)
#define type_size(T) __builtin_preserve_type_info(*(typeof(T) *)0, 1)
#define type_matches(T) __builtin_preserve_type_info(*(typeof(T) *)0, 2)

/* __builtin_preserve_enum_value: 0 exists, 1 value */
#define enum_exists(E, V) __builtin_preserve_enum_value(*(typeof(E) *)V, 0)
#define enum_value(E, V) __builtin_preserve_enum_value(*(typeof(E) *)V, 1)

/* Reads a bitfield the relocatable way: load byte_size bytes at byte_offset,
 * shift left, then shift right (arithmetic when signed). Every step is a
 * relocation, so the result follows the target's layout. */
#define read_bitfield(s, field) ({                                        \
	const void *__p = (const void *)(s) + field_off((s)->field);      \
	u64 __v = 0;                                                      \
	switch (field_size((s)->field)) {                                 \
	case 1: __v = *(const volatile u8 *)__p; break;                   \
	case 2: __v = *(const volatile u16 *)__p; break;                  \
	case 4: __v = *(const volatile u32 *)__p; break;                  \
	case 8: __v = *(const volatile u64 *)__p; break;                  \
	}                                                                 \
	__v <<= field_lshift((s)->field);                                 \
	if (field_signed((s)->field))                                     \
		__v = (u64)((s64)__v >> field_rshift((s)->field));        \
	else                                                              \
		__v >>= field_rshift((s)->field);                         \
	__v;                                                              \
})

#endif
