using System.Buffers.Binary;

namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>
/// A synthetic image folder for <c>images:PATH</c> (not real photos): 16 × 16 colour BMPs of two
/// classes, "horizontal" (a bright two-pixel horizontal bar) and "vertical", over dim noise, in
/// <c>train/</c> and <c>test/</c>. Written as 24-bit BMP, the simplest format StbImageSharp reads.
/// </summary>
internal static class SyntheticImages
{
    public const int Size = 16;

    /// <summary>Writes the folder under <paramref name="root"/>; returns its path.</summary>
    public static string Write(string root, int trainPerClass, int testPerClass)
    {
        string folder = Path.Combine(root, "images");
        var random = new Random(5);
        foreach (var (split, count) in new[] { ("train", trainPerClass), ("test", testPerClass) })
        {
            foreach (string label in new[] { "horizontal", "vertical" })
            {
                string classFolder = Path.Combine(folder, split, label);
                Directory.CreateDirectory(classFolder);
                for (int i = 0; i < count; i++)
                    File.WriteAllBytes(Path.Combine(classFolder, $"{i:D4}.bmp"), Bmp(Bars(label == "vertical", random)));
            }
        }
        return folder;
    }

    /// <summary>(y, x, rgb) pixels.</summary>
    private static byte[] Bars(bool vertical, Random random)
    {
        int line = random.Next(1, Size - 2);
        var pixels = new byte[Size * Size * 3];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                int at = vertical ? x : y;
                bool bar = at == line || at == line + 1;
                for (int c = 0; c < 3; c++) pixels[(((y * Size) + x) * 3) + c] = (byte)(bar ? random.Next(200, 256) : random.Next(0, 61));
            }
        }
        return pixels;
    }

    /// <summary>A 24-bit BMP: 54-byte header, rows bottom-up in BGR, each padded to 4 bytes (48 bytes here, no padding).</summary>
    private static byte[] Bmp(byte[] rgb)
    {
        int row = Size * 3, data = row * Size;
        var file = new byte[54 + data];
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54);   // pixel data offset
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);   // BITMAPINFOHEADER
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), Size);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), Size);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);    // planes
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), 24);   // bits per pixel
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(34), data);
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                int source = ((y * Size) + x) * 3, target = 54 + ((Size - 1 - y) * row) + (x * 3);
                file[target] = rgb[source + 2];
                file[target + 1] = rgb[source + 1];
                file[target + 2] = rgb[source];
            }
        }
        return file;
    }
}
