#!/usr/bin/env python3
"""Writes tiny Hugging Face model folders and their expected outputs for HuggingFaceImportTests.

Plain PyTorch only (no transformers library): every architecture's forward below is written the way
Hugging Face's modeling_bert / modeling_roberta / modeling_distilbert / modeling_electra /
modeling_albert compute it in eval mode (no dropout). Run from this folder:
    python3 make_golden.py
CI does not run it; its outputs are committed beside it.
"""
import json, math, os, struct
import torch

torch.manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))
V, H, L, NH, I, P, LABELS = 40, 32, 2, 4, 48, 24, ["negative", "neutral", "positive"]


def gelu(x): return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))
def gelu_new(x): return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
ACT = {"gelu": gelu, "gelu_new": gelu_new, "relu": torch.relu}


def lin(w, o, i, name):
    w[name + ".weight"] = torch.randn(o, i) * 0.2
    w[name + ".bias"] = torch.randn(o) * 0.1


def ln(w, n, name):
    w[name + ".weight"] = 1 + torch.randn(n) * 0.1
    w[name + ".bias"] = torch.randn(n) * 0.1


def emb(w, rows, n, name): w[name + ".weight"] = torch.randn(rows, n) * 0.5


def linear(w, name, x): return x @ w[name + ".weight"].T + w[name + ".bias"]
def layer_norm(w, name, x, eps): return torch.nn.functional.layer_norm(x, x.shape[-1:], w[name + ".weight"], w[name + ".bias"], eps)


def attention(q, k, v, mask, scale_query_first):
    b, s, _ = q.shape
    split = lambda x: x.view(b, s, NH, H // NH).transpose(1, 2)
    q, k, v = split(q), split(k), split(v)
    if scale_query_first:  # DistilBERT: q / sqrt(d) then masked_fill(min)
        scores = (q / math.sqrt(H // NH)) @ k.transpose(-1, -2)
        scores = scores.masked_fill((mask == 0).view(b, 1, 1, s), torch.finfo(scores.dtype).min)
    else:  # BERT: scores / sqrt(d) + (1 - mask) * min
        scores = q @ k.transpose(-1, -2) / math.sqrt(H // NH)
        scores = scores + (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    return (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, H)


def bert_layer(w, p, x, mask, act, eps):
    ctx = attention(linear(w, p + "attention.self.query", x), linear(w, p + "attention.self.key", x), linear(w, p + "attention.self.value", x), mask, False)
    a = layer_norm(w, p + "attention.output.LayerNorm", linear(w, p + "attention.output.dense", ctx) + x, eps)
    f = linear(w, p + "output.dense", act(linear(w, p + "intermediate.dense", a)))
    return layer_norm(w, p + "output.LayerNorm", f + a, eps)


def bert_like_weights(w, pre, E, types, layers=L, with_pooler=False):
    emb(w, V, E, pre + "embeddings.word_embeddings")
    emb(w, P, E, pre + "embeddings.position_embeddings")
    emb(w, types, E, pre + "embeddings.token_type_embeddings")
    ln(w, E, pre + "embeddings.LayerNorm")
    for i in range(layers):
        p = f"{pre}encoder.layer.{i}."
        for n in ("query", "key", "value"): lin(w, H, H, p + "attention.self." + n)
        lin(w, H, H, p + "attention.output.dense"); ln(w, H, p + "attention.output.LayerNorm")
        lin(w, I, H, p + "intermediate.dense"); lin(w, H, I, p + "output.dense"); ln(w, H, p + "output.LayerNorm")


def embed(w, pre, ids, types, positions, eps):
    x = w[pre + "embeddings.word_embeddings.weight"][ids] + w[pre + "embeddings.position_embeddings.weight"][positions]
    if types is not None: x = x + w[pre + "embeddings.token_type_embeddings.weight"][types]
    return layer_norm(w, pre + "embeddings.LayerNorm", x, eps)


def roberta_positions(ids, pad):  # modeling_roberta.create_position_ids_from_input_ids, past length 0
    m = ids.ne(pad).int()
    return (torch.cumsum(m, dim=1).type_as(m) * m).long() + pad


def make(arch):
    w, eps, pad = {}, 1e-12, 0
    cfg = {"vocab_size": V, "max_position_embeddings": P, "pad_token_id": pad,
           "id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)}}
    if arch == "distilbert":
        cfg.update(model_type="distilbert", architectures=["DistilBertForSequenceClassification"], dim=H, n_heads=NH, n_layers=L,
                   hidden_dim=I, activation="gelu", dropout=0.1, attention_dropout=0.1, seq_classif_dropout=0.2, sinusoidal_pos_embds=False)
        emb(w, V, H, "distilbert.embeddings.word_embeddings"); emb(w, P, H, "distilbert.embeddings.position_embeddings")
        ln(w, H, "distilbert.embeddings.LayerNorm")
        for i in range(L):
            p = f"distilbert.transformer.layer.{i}."
            for n in ("q_lin", "k_lin", "v_lin", "out_lin"): lin(w, H, H, p + "attention." + n)
            ln(w, H, p + "sa_layer_norm"); lin(w, I, H, p + "ffn.lin1"); lin(w, H, I, p + "ffn.lin2"); ln(w, H, p + "output_layer_norm")
        lin(w, H, H, "pre_classifier"); lin(w, len(LABELS), H, "classifier")
        eps = 1e-12  # DistilBERT's LayerNorms are built with eps=1e-12 whatever the config says
    else:
        pre = {"bert": "bert.", "roberta": "roberta.", "xlm-roberta": "roberta.", "electra": "electra.", "albert": "albert."}[arch]
        act = {"albert": "gelu_new"}.get(arch, "gelu")
        eps = 1e-5 if arch in ("roberta", "xlm-roberta") else 1e-12
        if arch in ("roberta", "xlm-roberta"): pad = 1
        types = 1 if arch in ("roberta", "xlm-roberta") else 2
        E = 16 if arch in ("electra", "albert") else H
        arch_name = {"bert": "Bert", "roberta": "Roberta", "xlm-roberta": "XLMRoberta", "electra": "Electra", "albert": "Albert"}[arch]
        cfg.update(model_type=arch, architectures=[arch_name + "ForSequenceClassification"], hidden_size=H, num_attention_heads=NH,
                   num_hidden_layers=L, intermediate_size=I, hidden_act=act, layer_norm_eps=eps, type_vocab_size=types,
                   pad_token_id=pad, position_embedding_type="absolute", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
        if arch in ("electra", "albert"): cfg["embedding_size"] = E
        if arch == "albert": cfg.update(num_hidden_groups=1, inner_group_num=1, classifier_dropout_prob=0.1)
        if arch == "albert":
            emb(w, V, E, pre + "embeddings.word_embeddings"); emb(w, P, E, pre + "embeddings.position_embeddings")
            emb(w, types, E, pre + "embeddings.token_type_embeddings"); ln(w, E, pre + "embeddings.LayerNorm")
            lin(w, H, E, pre + "encoder.embedding_hidden_mapping_in")
            p = pre + "encoder.albert_layer_groups.0.albert_layers.0."
            for n in ("query", "key", "value", "dense"): lin(w, H, H, p + "attention." + n)
            ln(w, H, p + "attention.LayerNorm"); lin(w, I, H, p + "ffn"); lin(w, H, I, p + "ffn_output"); ln(w, H, p + "full_layer_layer_norm")
            lin(w, H, H, pre + "pooler")
        else:
            bert_like_weights(w, pre, E, types)
            if arch == "electra": lin(w, H, E, "electra.embeddings_project")
            if arch == "bert": lin(w, H, H, "bert.pooler.dense")
        if arch in ("roberta", "xlm-roberta", "electra"): lin(w, H, H, "classifier.dense"); lin(w, len(LABELS), H, "classifier.out_proj")
        else: lin(w, len(LABELS), H, "classifier")
        # HF keeps position_ids (and token_type_ids) as buffers; older checkpoints persist them. The importer must skip them.
        w[pre + "embeddings.position_ids"] = torch.arange(P).unsqueeze(0).float()

    # Three inputs, two of them right-padded; a second segment in row 0 where the model has token types.
    seq = 7
    ids = torch.full((3, seq), pad, dtype=torch.long)
    mask = torch.zeros(3, seq, dtype=torch.long)
    for r, n in enumerate((7, 5, 3)):
        ids[r, :n] = torch.randint(3, V, (n,)); mask[r, :n] = 1
    types = torch.zeros_like(ids)
    types[0, 4:] = 1

    # Half-precision files must import as float32: distilbert is stored F16, albert BF16; the reference
    # forward uses the rounded weights so the comparison stays exact.
    dtype = {"distilbert": torch.float16, "albert": torch.bfloat16}.get(arch, torch.float32)
    w = {k: v.to(dtype) for k, v in w.items()}
    wf = {k: v.float() for k, v in w.items()}

    states = []
    with torch.no_grad():
        if arch == "distilbert":
            x = embed(wf, "distilbert.", ids, None, torch.arange(seq).unsqueeze(0), eps)
            for i in range(L):
                p = f"distilbert.transformer.layer.{i}."
                ctx = attention(linear(wf, p + "attention.q_lin", x), linear(wf, p + "attention.k_lin", x), linear(wf, p + "attention.v_lin", x), mask, True)
                sa = layer_norm(wf, p + "sa_layer_norm", linear(wf, p + "attention.out_lin", ctx) + x, eps)
                x = layer_norm(wf, p + "output_layer_norm", linear(wf, p + "ffn.lin2", gelu(linear(wf, p + "ffn.lin1", sa))) + sa, eps)
                states.append(x)
            logits = linear(wf, "classifier", torch.relu(linear(wf, "pre_classifier", x[:, 0])))
            types_used = None
        else:
            positions = roberta_positions(ids, pad) if arch in ("roberta", "xlm-roberta") else torch.arange(seq).unsqueeze(0)
            tt = types if cfg["type_vocab_size"] > 1 else torch.zeros_like(ids)
            types_used = tt
            x = embed(wf, pre, ids, tt, positions, eps)
            if arch == "electra": x = linear(wf, "electra.embeddings_project", x)
            if arch == "albert":
                x = linear(wf, pre + "encoder.embedding_hidden_mapping_in", x)
                p = pre + "encoder.albert_layer_groups.0.albert_layers.0."
                for i in range(L):  # AlbertTransformer: the one group, applied num_hidden_layers times
                    ctx = attention(linear(wf, p + "attention.query", x), linear(wf, p + "attention.key", x), linear(wf, p + "attention.value", x), mask, False)
                    a = layer_norm(wf, p + "attention.LayerNorm", x + linear(wf, p + "attention.dense", ctx), eps)
                    f = linear(wf, p + "ffn_output", gelu_new(linear(wf, p + "ffn", a)))
                    x = layer_norm(wf, p + "full_layer_layer_norm", f + a, eps)
                    states.append(x)
            else:
                for i in range(L):
                    x = bert_layer(wf, f"{pre}encoder.layer.{i}.", x, mask, gelu, eps)
                    states.append(x)
            cls = x[:, 0]
            if arch == "bert": logits = linear(wf, "classifier", torch.tanh(linear(wf, "bert.pooler.dense", cls)))
            elif arch == "albert": logits = linear(wf, "classifier", torch.tanh(linear(wf, "albert.pooler", cls)))
            elif arch == "electra": logits = linear(wf, "classifier.out_proj", gelu(linear(wf, "classifier.dense", cls)))
            else: logits = linear(wf, "classifier.out_proj", torch.tanh(linear(wf, "classifier.dense", cls)))

    folder = os.path.join(HERE, arch)
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder): os.remove(os.path.join(folder, f))
    with open(os.path.join(folder, "config.json"), "w") as f: json.dump(cfg, f, indent=2)
    if arch == "roberta":
        torch.save(w, os.path.join(folder, "pytorch_model.bin"))  # the pickle format
    elif arch == "xlm-roberta":  # sharded: two files and an index
        keys = sorted(w)
        half = len(keys) // 2
        parts = {"model-00001-of-00002.safetensors": keys[:half], "model-00002-of-00002.safetensors": keys[half:]}
        for name, ks in parts.items(): write_safetensors(os.path.join(folder, name), {k: w[k] for k in ks})
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": {k: n for n, ks in parts.items() for k in ks}}, f, indent=2)
    else:
        write_safetensors(os.path.join(folder, "model.safetensors"), w)
    r = lambda t: [float("%.8g" % v) for v in t.reshape(-1).tolist()]  # 8 digits: float32's resolution, half the bytes
    expected = {"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                "token_type_ids": None if types_used is None else types_used.tolist(),
                "hidden_states": [r(s) for s in states], "logits": r(logits)}
    with open(os.path.join(folder, "expected.json"), "w") as f: json.dump(expected, f)


def write_safetensors(path, tensors):
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
    header, blobs, offset = {}, [], 0
    for k in sorted(tensors):
        t = tensors[k].contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[k] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw); offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)


for a in ("bert", "distilbert", "roberta", "xlm-roberta", "electra", "albert"):
    make(a)
