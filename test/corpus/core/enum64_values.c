/* Enum64 (clang >= 15): ENUMVAL_VALUE of 64-bit enumerators loaded with
 * ldimm64 (perf_callchain_context, values near 2^64), one present only in
 * 7.1 (PERF_CONTEXT_USER_DEFERRED: both ldimm64 halves poisoned elsewhere),
 * ib_uverbs_device_cap_flags members added after 6.1, and a local enum64
 * whose target is a 32-bit enum on newer kernels (netdev_priv_flags). */
#include "core.h"

enum perf_callchain_context {
	PERF_CONTEXT_HV = (u64)-32,
	PERF_CONTEXT_KERNEL = (u64)-128,
	PERF_CONTEXT_USER = (u64)-512,
	PERF_CONTEXT_USER_DEFERRED = (u64)-640,
	PERF_CONTEXT_MAX = (u64)-4095,
};

enum ib_uverbs_device_cap_flags {
	IB_UVERBS_DEVICE_PCI_WRITE_END_PADDING = 1ULL << 36,
	IB_UVERBS_DEVICE_FLUSH_GLOBAL = 1ULL << 38,
	IB_UVERBS_DEVICE_ATOMIC_WRITE = 1ULL << 40,
};

enum netdev_priv_flags {
	IFF_TX_SKB_NO_LINEAR = 1ULL << 31,
	IFF_CHANGE_PROTO_DOWN = 1ULL << 32,
	IFF_NO_ADDRCONF = 1ULL << 30,
};

SEC("tp/enum64/perf")
u64 enum64_perf(void *ctx)
{
	return enum_value(enum perf_callchain_context, PERF_CONTEXT_HV) +
	       enum_value(enum perf_callchain_context, PERF_CONTEXT_USER) * 3 +
	       enum_value(enum perf_callchain_context, PERF_CONTEXT_USER_DEFERRED) * 5 +
	       enum_value(enum perf_callchain_context, PERF_CONTEXT_MAX) * 7 +
	       enum_exists(enum perf_callchain_context, PERF_CONTEXT_USER_DEFERRED);
}

SEC("tp/enum64/flags")
u64 enum64_flags(void *ctx)
{
	return enum_value(enum ib_uverbs_device_cap_flags, IB_UVERBS_DEVICE_PCI_WRITE_END_PADDING) +
	       enum_exists(enum ib_uverbs_device_cap_flags, IB_UVERBS_DEVICE_FLUSH_GLOBAL) +
	       enum_exists(enum ib_uverbs_device_cap_flags, IB_UVERBS_DEVICE_ATOMIC_WRITE) * 2 +
	       enum_value(enum netdev_priv_flags, IFF_TX_SKB_NO_LINEAR) +
	       enum_exists(enum netdev_priv_flags, IFF_CHANGE_PROTO_DOWN) * 4 +
	       enum_value(enum netdev_priv_flags, IFF_NO_ADDRCONF) + type_size(enum netdev_priv_flags);
}

LICENSE_GPL;
