# etcd for the docker platform. BASE provides the etcd binary at /usr/local/bin/etcd: the official image
# with a registry, or (GAUNTLET_IMAGE_SOURCE=rootfs, the default) a root filesystem holding only this
# machine's etcd (Debian's etcd-server) and the libraries ldd lists. Flags come from the platform.
ARG BASE=gcr.io/etcd-development/etcd:v3.4.23
FROM ${BASE}
ENTRYPOINT ["/usr/local/bin/etcd"]
