using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;

namespace EarlyExit.Classifier.Tests;

/// <summary>
/// The tokenizer side of a model folder: files written for export are read back as the same
/// tokenizer, a tokenizer copied into <c>tokenizer/</c> is the one the folder then creates, and a
/// missing tokenizer file is one line naming it.
/// </summary>
public sealed class ModelDirectoryTokenizerTests : IDisposable
{
    private static readonly string[] Texts =
    [
        "Crème brûlée at the café — 5 stars!",
        "東京で寿司を食べた 🍣",
        "supercalifragilisticexpialidociousness is a very long word",
        "WIN a FREE cruise, click now",
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("earlyexit-tokenizer-folder-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static CheckpointMetadata Metadata(TokenizerSettings? settings) => new()
    {
        Config = EncoderConfig.AllMiniLmL6V2(2), LabelNames = ["ham", "spam"], Tokenizer = settings,
    };

    [Fact]
    public void The_bundled_vocabulary_written_out_reads_back_as_the_same_tokenizer()
    {
        var directory = new ModelDirectory(Path.Combine(_root, "model"));
        var settings = new TokenizerSettings("all-MiniLM-L6-v2", LowerCase: true, MaxLength: 64);
        string exported = Path.Combine(_root, "exported");

        var manifest = directory.WriteTokenizerFiles(Metadata(settings), exported);

        TextTokenizer original = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 64 });
        TextTokenizer read = TextTokenizer.FromFolder(exported);
        Assert.Equal(["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"], manifest["files"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("WordPiece", (string)manifest["kind"]!);
        Assert.Equal(64, (int)manifest["max_length"]!);
        Assert.Equal(64, read.Options.MaxLength); // model_max_length in tokenizer_config.json
        Assert.Equal(original.VocabularySize, read.VocabularySize);
        Assert.Equal(original.EncodeBatch(Texts), read.EncodeBatch(Texts));
    }

    [Fact]
    public void A_copied_tokenizer_is_the_one_the_folder_creates_and_a_missing_file_is_named()
    {
        // A Hugging Face-style folder with the bundled vocabulary, as an import would find it.
        string source = Path.Combine(_root, "hf");
        new ModelDirectory(Path.Combine(_root, "unused")).WriteTokenizerFiles(Metadata(null), source);
        TextTokenizer fromSource = TextTokenizer.FromFolder(source, maxLength: 32);
        var directory = new ModelDirectory(Path.Combine(_root, "model"));

        TokenizerSettings settings = directory.CopyTokenizer(fromSource, source);

        Assert.Equal(ModelDirectory.TokenizerFolderName, settings.Folder);
        Assert.Equal("hf", settings.Vocabulary);
        Assert.Equal(32, settings.MaxLength);
        TextTokenizer created = directory.CreateTokenizer(Metadata(settings));
        Assert.Equal(fromSource.EncodeBatch(Texts), created.EncodeBatch(Texts));

        File.Delete(Path.Combine(directory.TokenizerPath, "vocab.txt"));
        var e = Assert.Throws<ModelFolderException>(() => directory.CreateTokenizer(Metadata(settings)));
        Assert.Contains("vocab.txt", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
