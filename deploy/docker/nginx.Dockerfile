# nginx as a load balancer in front of gateways. BASE provides /usr/sbin/nginx: the official image with a
# registry, or (GAUNTLET_IMAGE_SOURCE=rootfs, the default) a root filesystem holding Debian's nginx binary
# (downloaded by setup, never installed as a service), the libraries ldd lists, and the folders and users
# its compiled-in paths expect. The context's nginx.conf is a placeholder; a run mounts its own.
ARG BASE=nginx:1.22
FROM ${BASE}
COPY nginx.conf /etc/nginx/nginx.conf
ENTRYPOINT ["/usr/sbin/nginx", "-g", "daemon off;"]
