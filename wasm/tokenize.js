// Unicode-aware tokenizer for the playground's text mode. Pure JS: no WASM needed.
// Alternatives are tried in order at each position, so emoji sequences win
// over single symbols and per-character scripts win over words.
const perCharacterScripts = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const notPerCharacter = `(?![${perCharacterScripts}])`;
const emojiUnit = '\\p{Extended_Pictographic}(?:\\uFE0F|\\p{Emoji_Modifier})?';

const tokenPattern = new RegExp(
  [
    '\\p{Regional_Indicator}{2}', // a flag is two regional indicators
    '[#*0-9]\\uFE0F?\\u20E3', // keycap emoji
    `${emojiUnit}(?:\\u200D${emojiUnit})*`, // emoji with skin tone and ZWJ sequences
    `[${perCharacterScripts}]\\p{M}*`, // scripts written without spaces: one character each
    `${notPerCharacter}[\\p{L}\\p{N}](?:${notPerCharacter}[\\p{L}\\p{M}\\p{N}])*`, // words and numbers
    '[^\\s\\p{C}]\\p{M}*', // any other visible character: punctuation, symbols
  ].join('|'),
  'gu',
);

/** Splits text into tokens; whitespace and control or unpaired surrogate characters are dropped. */
export function tokenize(text) {
  if (typeof text !== 'string') {
    throw new TypeError(`text: expected a string, got ${text === null ? 'null' : typeof text}`);
  }
  return text.match(tokenPattern) ?? [];
}
