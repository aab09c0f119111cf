namespace EarlyExit.Data.Tokenization;

/// <summary>How a <see cref="TextTokenizer"/> splits words into sub-word pieces.</summary>
public enum TokenizerKind
{
    /// <summary>BERT's word pieces (greedy longest match, <c>##</c> continuations) after BERT's basic tokenization.</summary>
    WordPiece,

    /// <summary>GPT-2/RoBERTa byte-level BPE (<c>vocab.json</c> + <c>merges.txt</c>).</summary>
    ByteLevelBpe,

    /// <summary>A SentencePiece model (BPE or Unigram): XLM-R's <c>sentencepiece.bpe.model</c> or ALBERT's <c>spiece.model</c>.</summary>
    SentencePiece,
}

/// <summary>Where a <see cref="TextTokenizer"/> puts its special tokens around one text or a pair.</summary>
public enum TokenizerLayout
{
    /// <summary>BERT and ALBERT: <c>[CLS] a [SEP]</c> and <c>[CLS] a [SEP] b [SEP]</c>; token types 0, then 1 for <c>b [SEP]</c>.</summary>
    Bert,

    /// <summary>RoBERTa and XLM-R: <c>&lt;s&gt; a &lt;/s&gt;</c> and <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>; token types all 0.</summary>
    Roberta,
}
