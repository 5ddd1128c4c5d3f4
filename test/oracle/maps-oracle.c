/* Prints the BTF-defined maps libbpf reads from a BPF object (opened, not
 * loaded), one line each: name type key_size value_size max_entries flags. */
#include <bpf/libbpf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *map;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("error\n");
		return 0;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		printf("%s %u %u %u %u %u\n", bpf_map__name(map), bpf_map__type(map), bpf_map__key_size(map),
		       bpf_map__value_size(map), bpf_map__max_entries(map), bpf_map__map_flags(map));
	}
	bpf_object__close(obj);
	return 0;
}
