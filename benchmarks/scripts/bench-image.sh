# Sourced by the side-by-side scripts (pull-vs-skopeo.sh, push-vs-skopeo.sh; unpack-vs-umoci.sh through bench-common.sh).
# `build_bench_image WORK LAYERS MIB` writes an OCI layout at WORK/layout holding image "v1":
# busybox plus LAYERS layers of MIB MiB of random (incompressible) data each, gzip-compressed.
# Sets $layout and $bytes (the compressed size of all blobs).
build_bench_image() {
  local work=$1 layers=$2 mib=$3 i dir size d layer_json="" diff_ids=""
  layout="$work/layout"
  mkdir -p "$layout/blobs/sha256"
  blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$layout/blobs/sha256/$d"; echo "$d"; }
  for i in $(seq 0 "$layers"); do
    dir="$work/layer$i"; mkdir -p "$dir"
    if [ "$i" -eq 0 ]; then mkdir -p "$dir/bin"; cp /bin/busybox "$dir/bin/busybox"
    else head -c $((mib * 1024 * 1024)) /dev/urandom > "$dir/data$i.bin"; fi
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$work/l.tar" .
    rm -rf "$dir"
    diff_ids="$diff_ids${diff_ids:+,}\"sha256:$(sha256sum "$work/l.tar" | cut -d' ' -f1)\""
    gzip -1 -n "$work/l.tar"
    size=$(stat -c%s "$work/l.tar.gz"); d=$(blob "$work/l.tar.gz")
    layer_json="$layer_json${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$size}"
  done
  write_oci_layout
  bytes=$(du -cb "$layout"/blobs/sha256/* | tail -1 | cut -f1)
}

# Median of the arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# MB/s for $bytes moved in $1 milliseconds.
mbps() { awk -v b="$bytes" -v t="$1" 'BEGIN {printf "%.0f", b/1048576/(t/1000)}'; }

now() { date +%s%N; }

# Finishes the OCI layout $layout (tag v1) from $diff_ids and $layer_json (comma-separated JSON items), writing
# the config and manifest through the caller's blob function; $work holds the temporary files.
write_oci_layout() {
  local c csize m msize
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[%s]}}' "$diff_ids" > "$work/config.json"
  csize=$(stat -c%s "$work/config.json"); c=$(blob "$work/config.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[%s]}' "$c" "$csize" "$layer_json" > "$work/manifest.json"
  msize=$(stat -c%s "$work/manifest.json"); m=$(blob "$work/manifest.json")
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$m" "$msize" > "$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
}
