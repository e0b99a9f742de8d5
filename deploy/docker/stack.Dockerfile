# The Gauntlet stack services (gateway, batcher, worker) in one image; the command picks the role:
#   docker run -e GAUNTLET_SERVICE='{...}' gauntlet/stack:TAG worker
# BASE provides Node.js at /usr/local/bin/node. With a registry, the official image does; without one,
# Gauntlet imports a root filesystem made of this machine's node and the libraries ldd lists
# (GAUNTLET_IMAGE_SOURCE=rootfs, the default). The context is staged by platforms/docker/images: app/ holds
# dist/stack, the production packages the services import, a package.json and stack-entry.mjs.
# No RUN steps: a rootfs base has no shell.
ARG BASE=node:20-bookworm-slim
FROM ${BASE}
COPY app /app
WORKDIR /app
ENTRYPOINT ["/usr/local/bin/node", "--enable-source-maps", "/app/stack-entry.mjs"]
CMD ["worker"]
