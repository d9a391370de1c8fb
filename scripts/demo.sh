#!/usr/bin/env bash
# The article's demo: one module, its booklet of adapters, used from the
# hosts intertype has. Installs what a fresh machine lacks, builds once, runs.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

cargo build --release --locked -p intertype-cli
it=target/release/intertype
mod=tests/corpus/article/greeting-param.wat
out=target/demo
mkdir -p "$out"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "intertype parse $mod -o $out/greeting.wasm"
$it parse "$mod" -o "$out/greeting.wasm"
say "intertype validate $out/greeting.wasm"
$it validate "$out/greeting.wasm" && echo "valid"
say "intertype inspect $out/greeting.wasm"
$it inspect "$out/greeting.wasm"
say "intertype run $out/greeting.wasm 'greeting(\"WebAssembly\")'   # the Rust engine on wasmtime"
$it run "$out/greeting.wasm" 'greeting("WebAssembly")'
say "intertype run --json $out/greeting.wasm 'greeting(\"世界\")'"
$it run --json "$out/greeting.wasm" 'greeting("世界")'
say "intertype run tests/corpus/wasm-bindgen/markdown.wasm 'render(\"# Hello, *interface types*\")'   # what wasm-bindgen emitted in 2019"
$it run tests/corpus/wasm-bindgen/markdown.wasm 'render("# Hello, *interface types*")'
say "intertype bindgen js $out/greeting.wasm --out-dir $out/js   # the polyfill, for engines without interface types"
$it bindgen js "$out/greeting.wasm" --out-dir "$out/js"
say "node: (await instantiate()).greeting('Node.js')"
node --input-type=module -e "
  import { instantiate } from '$PWD/$out/js/greeting.js';
  const m = await instantiate();
  console.log(m.greeting('Node.js'));"

# The same interface written by the compiler: a Rust guest with
# #[intertype::export], built for wasm32 with no post-processing.
say "cargo build --release --target wasm32-unknown-unknown --manifest-path examples/Cargo.toml -p markdown -p greeting"
cargo build -q --release --locked --target wasm32-unknown-unknown \
  --manifest-path examples/Cargo.toml -p markdown -p greeting --target-dir target/wasm-guests
guests=target/wasm-guests/wasm32-unknown-unknown/release
say "intertype run $guests/greeting.wasm 'greeting(\"Rust guest\")'"
$it run "$guests/greeting.wasm" 'greeting("Rust guest")'
say "intertype run $guests/markdown.wasm 'render(\"# Hello, *interface types*\")'"
$it run "$guests/markdown.wasm" 'render("# Hello, *interface types*")'
say "intertype inspect $guests/markdown.wasm"
$it inspect "$guests/markdown.wasm"

# The same greeting in C, made with the component model's tools (wit-bindgen's
# C bindings, clang for wasm32-wasi) and adopted: examples/c-greet.
say "examples/c-greet/build.sh $out/c-greet   # wit-bindgen c, clang --target=wasm32-wasi, intertype component adopt"
INTERTYPE="$PWD/$it" examples/c-greet/build.sh "$out/c-greet" >/dev/null
say "intertype run $out/c-greet/greet.wasm 'greeting(\"C guest\")'"
$it run "$out/c-greet/greet.wasm" 'greeting("C guest")'

# The same markdown module from Python (PyO3 over the engine) and from Ruby
# (ruby-ffi over the C API): one module, several hosts, no glue written.
say "python: intertype.Instance(Module.from_file('markdown.wasm')).exports.render(...)"
if [ ! -x target/python-venv/bin/python ] || ! target/python-venv/bin/python -c 'import intertype' 2>/dev/null; then
  python3 -m venv target/python-venv
  CARGO_TARGET_DIR="$PWD/target" target/python-venv/bin/pip install -q --disable-pip-version-check ./bindings/python
fi
target/python-venv/bin/python -c "
import intertype
m = intertype.Module.from_file('$guests/markdown.wasm')
print(intertype.Instance(m).exports.render('# Hello from *Python*'), end='')"
say "ruby: Intertype::Instance.new(Module.from_file('markdown.wasm')).call('render', ...)"
cargo build -q --release --locked -p intertype-c-api
INTERTYPE_LIB="$PWD/target/release/libintertype.so" ruby -Ibindings/ruby/lib -e "
require 'intertype'
m = Intertype::Module.from_file('$guests/markdown.wasm')
print Intertype::Instance.new(m).call('render', '# Hello from *Ruby*')"

say "intertype print --interface-only $out/greeting.wasm"
$it print --interface-only "$out/greeting.wasm"
say "intertype strip $out/greeting.wasm -o $out/greeting.core.wasm"
$it strip "$out/greeting.wasm" -o "$out/greeting.core.wasm"
printf '%s bytes with the booklet, %s bytes without\n' \
  "$(wc -c < "$out/greeting.wasm")" "$(wc -c < "$out/greeting.core.wasm")"
