# The toxiproxy server (network faults: this kernel has no netem). BASE provides it at /toxiproxy: the
# official image with a registry, or (GAUNTLET_IMAGE_SOURCE=rootfs, the default) a root filesystem holding
# the static server that `npm run setup` builds into .tools/bin.
ARG BASE=ghcr.io/shopify/toxiproxy:2.12.0
FROM ${BASE}
ENTRYPOINT ["/toxiproxy"]
CMD ["-host=0.0.0.0", "-port=8474"]
