#!/usr/bin/env bash
# node-image.sh: builds a kind node image without any container registry, from Debian packages (apt),
# kind's own base files (its Go module) and the Kubernetes, etcd and CoreDNS binaries that
# bin/setup/kind.js built from the Go module proxy. `kind build node-image` cannot do this offline:
# it starts from kindest/base (whose Dockerfile clones sources) and pulls every component image.
#
# Each stage is cached by the hash of its inputs (a folder with a .complete marker, or an image label),
# so a second run takes seconds. The last line on stdout is the node image's name; progress goes to stderr.
#
# Usage (bin/setup/kind-node-image.js passes these; run as root with a docker engine that can run
# --privileged containers, see bin/setup/docker-runtime.js):
#   K8S_DIR=<folder with kubelet, kubeadm, kubectl, kube-*>  ETCD=<etcd binary>  COREDNS=<coredns binary>
#   KIND_SRC=<kind module folder>  K8S_VERSION=v1.34.4  CACHE=~/.cache/gauntlet/kind  tools/kind/node-image.sh
# Optional: SUITE (bookworm), MIRROR (the host's apt mirror), NICE (nice -n 19 ionice -c 3).
# `node-image.sh rootfs` (only CACHE needed) runs the debootstrap stage alone, `node-image.sh base`
# (CACHE and KIND_SRC) also the base image: neither needs the Kubernetes binaries, so they can run
# while Kubernetes compiles.
set -Eeuo pipefail

: "${CACHE:?CACHE must name the cache folder}"
SUITE="${SUITE:-bookworm}"
NICE="${NICE:-nice -n 19 ionice -c 3}"
if [ -z "${MIRROR:-}" ]; then # the mirror this host's apt already reaches (deb822 or one-line sources)
  MIRROR=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
fi

# What kind's base image gets from its Dockerfile, here from Debian: systemd as PID 1, containerd and
# runc (Debian's builds instead of kind's), the CNI plugins, and the tools kubeadm and kube-proxy call.
BASE_PACKAGES="systemd,systemd-sysv,dbus,iptables,iproute2,containerd,runc,containernetworking-plugins,conntrack,ethtool,kmod,e2fsprogs,procps,ca-certificates,socat,util-linux,mount,libseccomp2"
LABEL=dev.gauntlet.kind.inputs # image label holding the hash of an image's inputs
BUILD_CTR=""

say() { printf '[node-image %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "error: $*"; exit 1; }
short_hash() { sha256sum | cut -c1-16; }
image_label() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }
file_hash() { sha256sum "$@" | awk '{print $1}' | short_hash; }
cleanup() {
  local rc=$?
  if [ -n "$BUILD_CTR" ]; then docker rm -f "$BUILD_CTR" >/dev/null 2>&1 || true; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'die "line $LINENO: $BASH_COMMAND failed"' ERR

check_inputs() {
  : "${K8S_DIR:?K8S_DIR must name the folder with the Kubernetes binaries}"
  : "${ETCD:?ETCD must name the etcd binary}"
  : "${COREDNS:?COREDNS must name the coredns binary}"
  : "${KIND_SRC:?KIND_SRC must name the kind module folder (go mod download -json sigs.k8s.io/kind@VERSION)}"
  : "${K8S_VERSION:?K8S_VERSION must be set, e.g. v1.34.4}"
  local b tool
  for b in kubelet kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
    [ -x "$K8S_DIR/$b" ] || die "$K8S_DIR/$b is missing (run bin/setup/kind.js first)"
  done
  [ -x "$ETCD" ] || die "ETCD=$ETCD is not an executable"
  [ -x "$COREDNS" ] || die "COREDNS=$COREDNS is not an executable"
  [ -d "$KIND_SRC/images/base/files" ] || die "KIND_SRC=$KIND_SRC has no images/base/files"
  for tool in docker gcc strip chroot; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
}
command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"
mkdir -p "$CACHE/rootfs" "$CACHE/work"

# --- 1. Debian root file system (debootstrap), cached as a folder -----------------------------------
rootfs() {
  local key dir
  key=$(echo "$SUITE $BASE_PACKAGES" | short_hash)
  dir="$CACHE/rootfs/$SUITE-$key"
  if [ ! -f "$dir/.complete" ]; then
    say "debootstrap $SUITE from $MIRROR"
    rm -rf "$dir.partial"
    mkdir -p "$CACHE/rootfs/debs"
    $NICE debootstrap --variant=minbase --cache-dir="$CACHE/rootfs/debs" --include="$BASE_PACKAGES" \
      "$SUITE" "$dir.partial" "$MIRROR" >"$CACHE/work/debootstrap.log" 2>&1 ||
      die "debootstrap failed, see $CACHE/work/debootstrap.log"
    rm -rf "$dir.partial"/var/cache/apt/archives/*.deb "$dir.partial"/var/lib/apt/lists/*_Packages
    touch "$dir.partial/.complete"
    rm -rf "$dir"
    mv "$dir.partial" "$dir"
  fi
  ROOTFS=$dir
}

# --- 2. base image: the rootfs made into what kind's images/base Dockerfile produces ------------------
# $1: a copy of the rootfs to change in place
adapt_rootfs() {
  local r=$1 files="$KIND_SRC/images/base/files" b
  install -m 0755 "$files"/usr/local/bin/* "$r/usr/local/bin/"
  mkdir -p "$r/kind" "$r/LICENSES" "$r/etc/systemd/system/kubelet.service.d" "$r/etc/kubernetes/manifests"
  cp -r "$files/kind/." "$r/kind/"
  find "$r/kind" -type f -exec chmod 0644 {} +
  chmod 0755 "$r/kind" "$r/kind/bin" "$r"/kind/bin/*
  install -m 0644 "$files"/LICENSES/* "$r/LICENSES/"
  install -m 0644 "$files/etc/crictl.yaml" "$r/etc/"
  install -m 0644 "$files"/etc/containerd/* "$r/etc/containerd/"
  install -m 0644 "$files"/etc/default/* "$r/etc/default/"
  install -m 0644 "$files"/etc/sysctl.d/* "$r/etc/sysctl.d/"
  find "$files/etc/systemd/system" -maxdepth 1 -type f -exec install -m 0644 {} "$r/etc/systemd/system/" \;
  install -m 0644 "$files"/etc/systemd/system/kubelet.service.d/* "$r/etc/systemd/system/kubelet.service.d/"
  # kind's units and configs expect its own builds in /usr/local/bin and /opt/cni/bin; Debian's are elsewhere
  for b in containerd containerd-shim-runc-v2 ctr; do ln -sfn "/usr/bin/$b" "$r/usr/local/bin/$b"; done
  mkdir -p "$r/opt/cni"
  rm -rf "$r/opt/cni/bin"
  ln -sfn /usr/lib/cni "$r/opt/cni/bin"
  # kind's containerd config names a fuse-overlayfs proxy plugin and a base runtime spec that only its
  # source builds provide; and pods cannot get a negative oom_score_adj without CAP_SYS_RESOURCE
  local cfg="$r/etc/containerd/config.toml"
  sed -i -e '/^\[proxy_plugins\]/,/^  address = /d' -e '/base_runtime_spec/d' \
    -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$cfg"
  grep -q 'restrict_oom_score_adj = true' "$cfg" && ! grep -qE 'base_runtime_spec|fuse-overlayfs' "$cfg" ||
    die "kind's containerd config.toml changed shape; adapt the sed in adapt_rootfs"
  # a container's systemd: no udev, no tmpfiles at boot, no kernel log, nothing enabled but our units
  find "$r/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
  rm -f "$r"/lib/systemd/system/multi-user.target.wants/* "$r"/etc/systemd/system/*.wants/* \
    "$r"/lib/systemd/system/local-fs.target.wants/* "$r"/lib/systemd/system/sockets.target.wants/*udev* \
    "$r"/lib/systemd/system/sockets.target.wants/*initctl* "$r"/lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >>"$r/etc/systemd/journald.conf"
  ln -sfn /usr/lib/systemd/systemd "$r/sbin/init"
  chroot "$r" systemctl enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
  chroot "$r" systemctl mask systemd-binfmt.service >/dev/null 2>&1
  [ -L "$r/etc/systemd/system/multi-user.target.wants/kubelet.service" ] || die "systemctl enable in the chroot failed"
}
base_image() {
  local h stage
  h=$({ echo "$ROOTFS"; (cd "$KIND_SRC/images/base/files" && find . -type f -exec sha256sum {} + | sort); declare -f adapt_rootfs; } | short_hash)
  BASE_IMAGE="gauntlet/kind-base:$h"
  [ "$(image_label "$BASE_IMAGE")" = "$h" ] && return
  say "base image $BASE_IMAGE"
  stage="$CACHE/work/base-stage"
  rm -rf "$stage"
  cp -a "$ROOTFS" "$stage"
  rm -f "$stage/.complete"
  adapt_rootfs "$stage"
  # kind's base sets STOPSIGNAL SIGRTMIN+3; Debian's docker 20.10 refuses STOPSIGNAL in import --change,
  # and kind removes its nodes with `docker rm -f`, so it is left out.
  tar --numeric-owner -C "$stage" -c . | docker import --change 'ENV container=docker' \
    --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' --change "LABEL $LABEL=$h" - "$BASE_IMAGE" >/dev/null
  rm -rf "$stage"
}

# --- 3. component images under the names kubeadm asks for -----------------------------------------
# static_image IMAGE BINARY PATH: one static binary plus /etc/passwd and /tmp
static_image() {
  local image=$1 bin=$2 dest=$3 h d
  h=$(file_hash "$bin")
  [ "$(image_label "$image")" = "$h" ] && return
  say "component image $image"
  d="$CACHE/work/static-$(basename "$bin")"
  rm -rf "$d"
  mkdir -p "$d/etc" "$d/tmp" "$d/var/lib" "$d$(dirname "$dest")"
  chmod 1777 "$d/tmp"
  echo 'root:x:0:0:root:/root:/sbin/nologin' >"$d/etc/passwd"
  cp "$bin" "$d$dest"
  tar --numeric-owner -C "$d" -c . | docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "ENTRYPOINT [\"$dest\"]" --change "LABEL $LABEL=$h" - "$image" >/dev/null
  rm -rf "$d"
}
pause_source() {
  cat <<'C'
/* The pod sandbox's process: holds the namespaces, reaps orphans, exits on SIGINT or SIGTERM. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction down = {.sa_handler = stop};
  struct sigaction child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &down, 0);
  sigaction(SIGTERM, &down, 0);
  sigaction(SIGCHLD, &child, 0);
  for (;;) pause();
}
C
}
# kube-proxy runs iptables and conntrack. Its image holds those (resolved through the alternatives the
# node's Debian base selects), the libraries and iptables extensions they load, and its binary: about
# 40 MB instead of the 390 MB of the whole base, which every node unpacked at cluster start (about 40 s of
# a bring-up on 2 cores, holding CoreDNS up behind it).
proxy_image() {
  local h d
  h=$({ docker image inspect -f '{{.Id}}' "$BASE_IMAGE"; file_hash "$K8S_DIR/kube-proxy"; declare -f proxy_image; } | short_hash)
  [ "$(image_label "${IMAGE[proxy]}")" = "$h" ] && return
  say "component image ${IMAGE[proxy]} (kube-proxy, iptables, conntrack)"
  d="$CACHE/work/proxy"
  rm -rf "$d"
  mkdir -p "$d/root/usr/local/bin" "$d/root/usr/sbin" "$d/root/run" "$d/root/tmp" "$d/root/etc"
  # shellcheck disable=SC2016 # expanded inside the container
  docker run --rm --entrypoint /bin/sh "$BASE_IMAGE" -c '
    set -e
    s=/tmp/stage
    mkdir -p $s
    ext=$(ls -d /usr/lib/*/xtables)
    bins="/usr/sbin/conntrack $(readlink -f /usr/sbin/iptables) $(readlink -f /usr/sbin/ip6tables)"
    for f in $(for b in $bins $ext/*.so; do echo "$b"; ldd "$b" | awk "{ for (i = 1; i <= NF; i++) if (\$i ~ /^\//) print \$i }"; done | sort -u); do
      cp -L --parents "$f" $s/
    done
    for n in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
      ln -sf "$(readlink -f /usr/sbin/$n)" "$s/usr/sbin/$n"
    done
    cp /etc/nsswitch.conf /etc/passwd /etc/group $s/etc/ 2>/dev/null || true
    tar -C $s -c .' | tar -C "$d/root" -x
  cp "$K8S_DIR/kube-proxy" "$d/root/usr/local/bin/kube-proxy"
  chmod 1777 "$d/root/tmp"
  tar --numeric-owner -C "$d/root" -c . |
    docker import --change 'ENTRYPOINT ["/usr/local/bin/kube-proxy"]' --change "LABEL $LABEL=$h" - "${IMAGE[proxy]}" >/dev/null
  rm -rf "$d"
}

component_images() {
  local line h d c
  declare -gA IMAGE=()
  while read -r line; do
    case "$line" in
    */kube-apiserver:*) IMAGE[apiserver]=$line ;;
    */kube-controller-manager:*) IMAGE[controller]=$line ;;
    */kube-scheduler:*) IMAGE[scheduler]=$line ;;
    */kube-proxy:*) IMAGE[proxy]=$line ;;
    */coredns:*) IMAGE[coredns]=$line ;;
    */etcd:*) IMAGE[etcd]=$line ;;
    */pause:*) IMAGE[pause]=$line ;;
    esac
  done < <("$K8S_DIR/kubeadm" config images list --kubernetes-version "$K8S_VERSION" 2>/dev/null)
  [ "${#IMAGE[@]}" = 7 ] || die "kubeadm config images list named ${#IMAGE[@]} of the 7 images expected"
  static_image "${IMAGE[apiserver]}" "$K8S_DIR/kube-apiserver" /usr/local/bin/kube-apiserver
  static_image "${IMAGE[controller]}" "$K8S_DIR/kube-controller-manager" /usr/local/bin/kube-controller-manager
  static_image "${IMAGE[scheduler]}" "$K8S_DIR/kube-scheduler" /usr/local/bin/kube-scheduler
  static_image "${IMAGE[etcd]}" "$ETCD" /usr/local/bin/etcd
  static_image "${IMAGE[coredns]}" "$COREDNS" /coredns
  proxy_image
  # the sandbox image: kubeadm's name and the one kind's containerd config pins may differ
  SANDBOX_IMAGE=$(sed -n 's/^ *sandbox_image = "\(.*\)"/\1/p' "$KIND_SRC/images/base/files/etc/containerd/config.toml")
  [ -n "$SANDBOX_IMAGE" ] || die "no sandbox_image in kind's containerd config.toml"
  h=$({ pause_source; declare -f component_images; } | short_hash)
  if [ "$(image_label "${IMAGE[pause]}")" != "$h" ] || [ "$(image_label "$SANDBOX_IMAGE")" != "$h" ]; then
    say "component image ${IMAGE[pause]} (static C, also tagged $SANDBOX_IMAGE)"
    d="$CACHE/work/pause"
    rm -rf "$d"
    mkdir -p "$d"
    pause_source >"$d/pause.c"
    gcc -Os -static -o "$d/root-pause" "$d/pause.c"
    strip "$d/root-pause"
    mkdir -p "$d/root"
    mv "$d/root-pause" "$d/root/pause"
    tar --numeric-owner -C "$d/root" -c . | docker import --change 'ENTRYPOINT ["/pause"]' --change "LABEL $LABEL=$h" - "${IMAGE[pause]}" >/dev/null
    docker tag "${IMAGE[pause]}" "$SANDBOX_IMAGE"
    rm -rf "$d"
  fi
}

# --- 4. node image: base + kubelet, kubeadm, kubectl + the component images in its containerd --------
node_image() {
  local ids h tar n i
  ids=$(for i in "${IMAGE[@]}" "$SANDBOX_IMAGE"; do echo "$i $(docker image inspect -f '{{.Id}}' "$i")"; done | sort)
  h=$({ docker image inspect -f '{{.Id}}' "$BASE_IMAGE"; echo "$ids"; file_hash "$K8S_DIR/kubelet" "$K8S_DIR/kubeadm" "$K8S_DIR/kubectl"; declare -f node_image; } | short_hash)
  NODE_IMAGE="gauntlet/kind-node:$K8S_VERSION-$h"
  [ "$(image_label "$NODE_IMAGE")" = "$h" ] && return
  say "node image $NODE_IMAGE"
  tar="$CACHE/work/images-$h.tar"
  # shellcheck disable=SC2046 # one word per image name
  docker save -o "$tar" $(printf '%s\n' "${IMAGE[@]}" "$SANDBOX_IMAGE" | sort -u)
  BUILD_CTR="gauntlet-kind-node-build-$h"
  docker rm -f "$BUILD_CTR" >/dev/null 2>&1 || true
  docker run -d --privileged --security-opt seccomp=unconfined --entrypoint=sleep --name "$BUILD_CTR" "$BASE_IMAGE" infinity >/dev/null
  for i in kubelet kubeadm kubectl; do docker cp "$K8S_DIR/$i" "$BUILD_CTR:/usr/bin/$i"; done
  docker exec "$BUILD_CTR" sh -c "echo $K8S_VERSION > /kind/version"
  docker exec "$BUILD_CTR" sh -c 'containerd >/var/log/containerd-build.log 2>&1 & echo $! >/run/containerd-build.pid'
  for i in $(seq 1 150); do docker exec "$BUILD_CTR" ctr version >/dev/null 2>&1 && break; sleep 0.2; done
  docker exec "$BUILD_CTR" ctr version >/dev/null 2>&1 || die "containerd did not start in the build container"
  docker exec -i "$BUILD_CTR" ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned \
    --all-platforms --no-unpack --digests - <"$tar" >"$CACHE/work/node-import.log" 2>&1 ||
    die "ctr import failed, see $CACHE/work/node-import.log"
  n=$(docker exec "$BUILD_CTR" ctr -n k8s.io images ls -q | grep -c '^registry.k8s.io/' || true)
  [ "$n" -ge 7 ] || die "the node's containerd holds $n registry.k8s.io images, expected at least 7"
  # stop containerd before the commit. `sleep` is PID 1 and reaps nothing, so the exited containerd
  # stays a zombie: wait for state Z (or gone) rather than for `kill -0` to fail
  docker exec "$BUILD_CTR" sh -c 'p=$(cat /run/containerd-build.pid); kill "$p"
    for i in $(seq 1 300); do
      if [ ! -e "/proc/$p" ] || grep -q "^State:.*Z" "/proc/$p/status" 2>/dev/null; then exit 0; fi; sleep 0.1
    done; exit 1' || die "containerd in the build container did not stop"
  docker exec "$BUILD_CTR" rm -rf /run/containerd-build.pid /var/log/containerd-build.log /run/containerd
  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' --change 'CMD []' \
    --change "LABEL $LABEL=$h" "$BUILD_CTR" "$NODE_IMAGE" >/dev/null
  docker rm -f "$BUILD_CTR" >/dev/null
  BUILD_CTR=""
  rm -f "$tar"
}

T0=$SECONDS
case "${1:-all}" in
rootfs | base | all) ;;
*) die "unknown stage '$1' (allowed: rootfs, base, or nothing for the whole image)" ;;
esac
rootfs
say "rootfs $ROOTFS ($((SECONDS - T0)) s)"
if [ "${1:-all}" = rootfs ]; then
  echo "$ROOTFS"
  exit 0
fi
: "${KIND_SRC:?KIND_SRC must name the kind module folder (go mod download -json sigs.k8s.io/kind@VERSION)}"
[ -d "$KIND_SRC/images/base/files" ] || die "KIND_SRC=$KIND_SRC has no images/base/files"
base_image
say "base $BASE_IMAGE ($((SECONDS - T0)) s)"
if [ "${1:-all}" = base ]; then
  echo "$BASE_IMAGE"
  exit 0
fi
check_inputs
component_images
say "component images ready ($((SECONDS - T0)) s)"
node_image
say "node image $NODE_IMAGE ($((SECONDS - T0)) s)"
echo "$NODE_IMAGE"
