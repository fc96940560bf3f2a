// `npm start`: set up the machine, build the WASM core and serve the playground
// with Vite's dev server, which prints its URL.
import { spawn } from 'node:child_process';
import { root, setup } from './setup.mjs';

try {
  setup();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const args = ['vite', '--host', process.env.HOST ?? '127.0.0.1', ...process.argv.slice(2)];
const server = spawn('npx', args, { cwd: root, stdio: 'inherit' });
server.on('exit', (code) => process.exit(code ?? 0));
