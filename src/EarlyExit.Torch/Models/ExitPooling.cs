namespace EarlyExit.Torch.Models;

/// <summary>How an exit head reduces a layer's token states (batch, seq, hidden) to one vector per input.</summary>
public enum ExitPooling
{
    /// <summary>The state of the first token ([CLS]), as BERT's pooler and DeeBERT/PABEE heads use.</summary>
    Cls,

    /// <summary>The mean of the states of the tokens the attention mask keeps, as sentence-transformers' MiniLM was trained with.</summary>
    Mean,
}
