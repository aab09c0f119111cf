using System.Security.Cryptography;

namespace EarlyExit.Core.IO;

/// <summary>The one file digest the project records and checks: weights, cached traces, dataset archives.</summary>
public static class FileHash
{
    /// <summary>SHA-256 of a file, lower-case hex, read sequentially in 1 MiB blocks.</summary>
    /// <param name="path">The file.</param>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
