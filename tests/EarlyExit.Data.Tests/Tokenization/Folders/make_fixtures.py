#!/usr/bin/env python3
"""Writes the tiny tokenizer folders that TokenizerFolderTests read (run from this folder; CI does not
run it, the outputs are committed). Standard library only: the SentencePiece models are ModelProto
messages of SentencePiece's model format, encoded by hand below, so every piece and score is in plain
sight for working the expected ids out by hand."""
import json
import os
import struct


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint((field << 3) | wire)


def f_varint(field, n):
    return key(field, 0) + varint(n & 0xFFFFFFFFFFFFFFFF)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return key(field, 2) + varint(len(data)) + data


def f_float(field, x):
    return key(field, 5) + struct.pack("<f", x)


NORMAL, UNKNOWN, CONTROL = 1, 2, 3
UNIGRAM = 1


def model_proto(pieces, unk_id, bos_id, eos_id, pad_id, names, model_type=UNIGRAM):
    """pieces: (piece, score, type); names: (unk, bos, eos, pad) piece strings."""
    out = b""
    for piece, score, kind in pieces:  # ModelProto.pieces = 1
        out += f_bytes(1, f_bytes(1, piece) + f_float(2, score) + f_varint(3, kind))
    trainer = (f_varint(3, model_type) + f_varint(4, len(pieces))
               + f_varint(40, unk_id) + f_varint(41, bos_id) + f_varint(42, eos_id) + f_varint(43, pad_id)
               + f_bytes(45, names[0]) + f_bytes(46, names[1]) + f_bytes(47, names[2]) + f_bytes(48, names[3]))
    out += f_bytes(2, trainer)  # trainer_spec = 2
    # normalizer_spec = 3: identity rule, no charsmap; add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces.
    out += f_bytes(3, f_bytes(1, "identity") + f_varint(3, 1) + f_varint(4, 1) + f_varint(5, 1))
    return out


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(folder, name), mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as f:
        f.write(data)


def dump(obj):
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


# ---- WordPiece: vocab.txt (uncased, like bert-base-uncased) ----
WORDPIECE = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "cafe", "##s", "中", "文",
             "un", "##aff", "##able", "!", ",", "a", "b", "c", "##a", "café", "Hello"]
write("wordpiece", "vocab.txt", "\n".join(WORDPIECE) + "\n")
write("wordpiece", "tokenizer_config.json", dump({"do_lower_case": True, "model_max_length": 512, "tokenizer_class": "BertTokenizer"}))
write("wordpiece", "special_tokens_map.json", dump({"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]", "mask_token": "[MASK]"}))

# ---- WordPiece: tokenizer.json only (cased: BertNormalizer lowercase false, strip_accents null) ----
write("wordpiece-json", "tokenizer.json", dump({
    "version": "1.0",
    "added_tokens": [],
    "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": False},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
              "vocab": {t: i for i, t in enumerate(WORDPIECE)}},
}))


# ---- Byte-level BPE (RoBERTa): specials 0-3, the 256 byte symbols as 4 + byte, then merges ----
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()
vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
for b in range(256):
    vocab[B2U[b]] = 4 + b
MERGES = [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("Ġ", "w"), ("o", "r"), ("Ġw", "or"),
          ("Ġwor", "l"), ("Ġworl", "d"), ("Ġ", "hello"), ("Ã", "©")]
for left, right in MERGES:
    vocab[left + right] = len(vocab)
vocab["<mask>"] = len(vocab)
write("roberta", "vocab.json", json.dumps(vocab, ensure_ascii=False) + "\n")
write("roberta", "merges.txt", "#version: 0.2\n" + "".join(f"{l} {r}\n" for l, r in MERGES))
write("roberta", "tokenizer_config.json", dump({"add_prefix_space": False, "model_max_length": 512, "tokenizer_class": "RobertaTokenizer"}))
write("roberta", "special_tokens_map.json", dump({
    "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>", "unk_token": "<unk>",
    "pad_token": "<pad>", "mask_token": {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False, "single_word": False}}))

# ---- Byte-level BPE from tokenizer.json alone (same vocabulary and merges; newer list-of-pairs merges) ----
write("roberta-json", "tokenizer.json", dump({
    "version": "1.0",
    "added_tokens": [],
    "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True, "add_prefix_space": False},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
              "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": [[l, r] for l, r in MERGES]},
}))

# ---- SentencePiece unigram as XLM-R's sentencepiece.bpe.model (spm ids; HF adds 1) ----
XLMR = [("<unk>", 0.0, UNKNOWN), ("<s>", 0.0, CONTROL), ("</s>", 0.0, CONTROL),
        ("▁", -5.0, NORMAL), ("▁hello", -1.0, NORMAL), ("▁world", -1.0, NORMAL), ("hello", -1.5, NORMAL),
        ("▁he", -3.0, NORMAL), ("llo", -3.0, NORMAL), ("▁caf", -2.0, NORMAL), ("é", -2.0, NORMAL),
        ("中", -2.0, NORMAL), ("文", -2.0, NORMAL), ("h", -6.0, NORMAL), ("e", -6.0, NORMAL), ("l", -6.0, NORMAL), ("o", -6.0, NORMAL)]
write("xlmr", "sentencepiece.bpe.model", model_proto(XLMR, 0, 1, 2, -1, ("<unk>", "<s>", "</s>", "<pad>")))
write("xlmr", "tokenizer_config.json", dump({"model_max_length": 512, "tokenizer_class": "XLMRobertaTokenizer"}))
write("xlmr", "special_tokens_map.json", dump({"bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
                                              "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": "<mask>"}))

# ---- SentencePiece unigram as ALBERT's spiece.model (ids as in the model) ----
ALBERT = [("<pad>", 0.0, CONTROL), ("<unk>", 0.0, UNKNOWN), ("[CLS]", 0.0, CONTROL), ("[SEP]", 0.0, CONTROL), ("[MASK]", 0.0, CONTROL),
          ("▁", -5.0, NORMAL), ("▁hello", -1.0, NORMAL), ("▁world", -1.0, NORMAL), ("▁cafe", -2.0, NORMAL), ("hello", -1.5, NORMAL),
          ("中", -2.0, NORMAL), ("文", -2.0, NORMAL), ("é", -3.0, NORMAL), ("▁caf", -2.5, NORMAL)]
write("albert", "spiece.model", model_proto(ALBERT, 1, 2, 3, 0, ("<unk>", "[CLS]", "[SEP]", "<pad>")))
write("albert", "tokenizer_config.json", dump({"do_lower_case": True, "keep_accents": False, "remove_space": True, "model_max_length": 512,
                                              "tokenizer_class": "AlbertTokenizer"}))
write("albert", "special_tokens_map.json", dump({"bos_token": "[CLS]", "eos_token": "[SEP]", "cls_token": "[CLS]", "sep_token": "[SEP]",
                                                "unk_token": "<unk>", "pad_token": "<pad>", "mask_token": {"content": "[MASK]", "lstrip": True}}))

# ---- SentencePiece BPE as XLM-R's sentencepiece.bpe.model (the real one is BPE): a piece's score is its
# merge priority (higher merges first), and every intermediate of a merge chain is a piece ----
XLMR_BPE = [("<unk>", 0.0, UNKNOWN), ("<s>", 0.0, CONTROL), ("</s>", 0.0, CONTROL),
            ("▁h", -1.0, NORMAL), ("▁he", -2.0, NORMAL), ("ll", -3.0, NORMAL), ("▁hell", -4.0, NORMAL), ("▁hello", -5.0, NORMAL),
            ("▁w", -6.0, NORMAL), ("or", -7.0, NORMAL), ("▁wor", -8.0, NORMAL), ("ld", -9.0, NORMAL), ("▁world", -10.0, NORMAL),
            ("▁", -11.0, NORMAL), ("h", -12.0, NORMAL), ("e", -13.0, NORMAL), ("l", -14.0, NORMAL), ("o", -15.0, NORMAL),
            ("w", -16.0, NORMAL), ("r", -17.0, NORMAL), ("d", -18.0, NORMAL)]
BPE = 2
write("xlmr-bpe", "sentencepiece.bpe.model", model_proto(XLMR_BPE, 0, 1, 2, -1, ("<unk>", "<s>", "</s>", "<pad>"), model_type=BPE))

# ---- A WORD-type SentencePiece model (trainer_spec.model_type 3), which Microsoft.ML.Tokenizers cannot run ----
WORD = 3
write("sentencepiece-word", "spiece.model", model_proto(ALBERT, 1, 2, 3, 0, ("<unk>", "[CLS]", "[SEP]", "<pad>"), model_type=WORD))
