// The single-file page has no .wasm file beside it: the core's bytes are
// inlined in the page as base64 and handed to the shared engine. This module
// must be imported before anything that creates an element.
import base64 from 'virtual:attention-wasm-base64';
import { configureSharedEngine } from './engine.js';

configureSharedEngine({ wasmBinary: Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)) });
