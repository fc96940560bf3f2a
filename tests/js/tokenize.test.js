// tokenize(): the Unicode-aware split of the playground's text mode (pure JS).
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../wasm/index.js';
import { expectError } from './support.js';

describe('tokenize', () => {
  it('splits words on whitespace', () => {
    expect(tokenize('the cat  sat\ton\nthe mat')).toEqual(['the', 'cat', 'sat', 'on', 'the', 'mat']);
  });

  it('makes every punctuation mark a token of its own', () => {
    expect(tokenize('Hello, world!')).toEqual(['Hello', ',', 'world', '!']);
    expect(tokenize("don't")).toEqual(['don', "'", 't']);
    expect(tokenize('...')).toEqual(['.', '.', '.']);
  });

  it('keeps letters and digits of one word together, and accented letters in it', () => {
    expect(tokenize('abc123 naïve café')).toEqual(['abc123', 'naïve', 'café']);
  });

  it('keeps a combining mark with its letter', () => {
    expect(tokenize('cafe\u0301 x')).toEqual(['cafe\u0301', 'x']);
  });

  it('splits <script> into "<", "script" and ">"', () => {
    expect(tokenize('<script>')).toEqual(['<', 'script', '>']);
    expect(tokenize('<img src=x onerror=alert(1)>')).toEqual(
      ['<', 'img', 'src', '=', 'x', 'onerror', '=', 'alert', '(', '1', ')', '>'],
    );
  });

  it('keeps an emoji with its skin tone as one token', () => {
    expect(tokenize('👍🏽 ok')).toEqual(['👍🏽', 'ok']);
  });

  it('keeps a ZWJ family emoji as one token', () => {
    expect(tokenize('👨‍👩‍👧‍👦')).toEqual(['👨‍👩‍👧‍👦']);
    expect(tokenize('a👩🏽‍💻b')).toEqual(['a', '👩🏽‍💻', 'b']);
  });

  it('keeps an emoji with its variation selector as one token', () => {
    expect(tokenize('I ❤️ it')).toEqual(['I', '❤️', 'it']);
  });

  it('makes each flag (a pair of regional indicators) one token', () => {
    expect(tokenize('🇯🇵🇫🇷')).toEqual(['🇯🇵', '🇫🇷']);
  });

  it('keeps a keycap emoji as one token', () => {
    expect(tokenize('1️⃣ #️⃣')).toEqual(['1️⃣', '#️⃣']);
  });

  it('gives every Han, Hiragana and Katakana character its own token', () => {
    expect(tokenize('日本語')).toEqual(['日', '本', '語']);
    expect(tokenize('ひらがなカタカナ')).toEqual(['ひ', 'ら', 'が', 'な', 'カ', 'タ', 'カ', 'ナ']);
    expect(tokenize('我爱cats')).toEqual(['我', '爱', 'cats']);
  });

  it('keeps a Hangul word whole, since Korean separates words with spaces', () => {
    expect(tokenize('안녕 세상')).toEqual(['안녕', '세상']);
  });

  it('turns the empty string into no tokens', () => {
    expect(tokenize('')).toEqual([]);
  });

  it('turns whitespace-only text into no tokens', () => {
    expect(tokenize(' \t\n\r\u00a0\u3000 ')).toEqual([]);
  });

  it('drops control characters and unpaired surrogates', () => {
    expect(tokenize('a\u0000b\u0007 \uD800c')).toEqual(['a', 'b', 'c']);
  });

  it('never yields a token with whitespace or an empty token', () => {
    const tokens = tokenize('  mixed: 日本, emoji 👍🏽👨‍👩‍👧‍👦🇯🇵, <b>bold</b>\u2028next \u0301 ok  ');
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(token).not.toBe('');
      expect(token).not.toMatch(/\s/u);
    }
  });

  it('refuses a non-string with a TypeError naming text', () => {
    expectError(() => tokenize(null), TypeError, 'text: expected a string, got null');
    expectError(() => tokenize(42), TypeError, 'text: expected a string, got number');
    expectError(() => tokenize(['a']), TypeError, 'text: expected a string');
  });
});
