// The USE lite tokenizer's fixture (what the native SentencePiece test checks
// the core against) is what the reference JS tokenizer gives today, and the
// parity corpus covers what issue 14 asks of it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  generatedTokenizerTexts, readCorpus, readVocabulary, referenceTokenizer, tokenizerCases, tokenizerCasesFile,
} from '../../scripts/use-lite-reference.mjs';

const vocabulary = readVocabulary();
const corpus = readCorpus();
const tokenizer = referenceTokenizer(vocabulary);

describe('USE lite tokenizer reference', () => {
  it('the committed native fixture equals the reference tokenizer on every text, after NFKC', () => {
    const committed = JSON.parse(readFileSync(tokenizerCasesFile, 'utf8'));
    const fresh = tokenizerCases(vocabulary, corpus);
    expect(committed.length).toBe(fresh.length);
    for (let i = 0; i < fresh.length; i++) expect(committed[i], `case ${i}`).toEqual(fresh[i]);
  });

  it('the corpus has at least 50 sentences of 1 to 128 tokens, the longest at the limit', () => {
    const lengths = corpus.sentences.map((text) => tokenizer.encode(text).length);
    expect(corpus.sentences.length).toBeGreaterThanOrEqual(50);
    expect(Math.min(...lengths)).toBe(1);
    expect(Math.max(...lengths)).toBe(128);
    for (const text of corpus.beyondLimit) expect(tokenizer.encode(text).length).toBeGreaterThan(128);
  });

  it('the corpus holds the README sentence, punctuation, numbers, accents, emoji and unknown pieces', () => {
    const all = corpus.sentences.join('\n');
    expect(corpus.sentences).toContain("The animal didn't cross the street because it was too tired");
    expect(all).toMatch(/[!?;:()"]/);
    expect(all).toMatch(/\d{4}/);
    expect(all).toMatch(/[éèüöåøß]/);
    expect(all).toMatch(/\p{Extended_Pictographic}/u);
    expect(corpus.sentences.some((text) => text !== text.normalize('NFKC'))).toBe(true);
    expect(corpus.sentences.filter((text) => tokenizer.encode(text).includes(0)).length).toBeGreaterThanOrEqual(10);
  });

  it('the generated texts are the same on every run (a fixed seed)', () => {
    expect(generatedTokenizerTexts(vocabulary, 5)).toEqual(generatedTokenizerTexts(vocabulary, 5));
    expect(new Set(generatedTokenizerTexts(vocabulary)).size).toBeGreaterThan(290);
  });
});
