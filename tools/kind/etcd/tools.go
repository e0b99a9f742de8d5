//go:build tools

// Package tools names the etcd server so `go mod tidy` keeps its dependencies; the build runs
// `go build go.etcd.io/etcd/server/v3`.
package tools

import _ "go.etcd.io/etcd/server/v3"
