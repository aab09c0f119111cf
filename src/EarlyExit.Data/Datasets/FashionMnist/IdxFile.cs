namespace EarlyExit.Data.Datasets.FashionMnist;

/// <summary>The contents of an IDX file: its dimensions and its unsigned bytes, row-major.</summary>
internal sealed record IdxFile(int[] Dimensions, byte[] Data);
