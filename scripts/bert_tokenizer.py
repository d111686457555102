"""BERT's uncased word-piece tokenizer in Python (as crates/core/src/encoder/tokenizer.rs,
[UNK] included, as the model expects), for scripts/full_model_banks.py."""
import unicodedata


class Tokenizer:
    def __init__(self, vocab_path):
        self.vocab = [l.rstrip('\n') for l in open(vocab_path, encoding='utf-8')]
        self.id = {t: i for i, t in enumerate(self.vocab)}

    def words(self, text):
        text = unicodedata.normalize('NFD', text.lower())
        out, cur = [], ''
        for c in text:
            cat = unicodedata.category(c)
            if cat == 'Mn':
                continue
            if c.isspace() or cat.startswith('C'):
                if cur: out.append(cur)
                cur = ''
            elif cat.startswith('P') or (c.isascii() and not c.isalnum()):
                if cur: out.append(cur)
                out.append(c); cur = ''
            else:
                cur += c
        if cur: out.append(cur)
        return out

    def pieces(self, word):
        if len(word) > 100:
            return [self.id['[UNK]']]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start and (('##' if start else '') + word[start:end]) not in self.id:
                end -= 1
            if end == start:
                return [self.id['[UNK]']]
            ids.append(self.id[('##' if start else '') + word[start:end]]); start = end
        return ids

    def encode(self, text, max_len=128):
        ids = [p for w in self.words(text) for p in self.pieces(w)]
        return [self.id['[CLS]']] + ids[:max_len - 2] + [self.id['[SEP]']]
