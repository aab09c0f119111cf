using System.Text.Json.Nodes;
using EarlyExit.Torch.Import;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Import;

/// <summary>Each way a Hugging Face folder can be wrong is refused with one line naming the file, key and shapes.</summary>
public sealed class HuggingFaceBadFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hf-bad-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A copy of the golden bert folder to break.</summary>
    private string CopyBert()
    {
        foreach (string f in Directory.GetFiles(HuggingFaceImportTests.Golden("bert")))
            File.Copy(f, Path.Combine(_folder, Path.GetFileName(f)));
        return _folder;
    }

    private void EditConfig(Action<JsonObject> edit)
    {
        string path = Path.Combine(_folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private void EditWeights(Action<Dictionary<string, Tensor>> edit)
    {
        string path = Path.Combine(_folder, "model.safetensors");
        var weights = SafetensorsFile.Read(path, m => new InvalidOperationException(m));
        edit(weights);
        SafetensorsFile.Write(path, weights);
    }

    private string Refused(HuggingFaceImportOptions? options = null)
    {
        var e = Assert.Throws<HuggingFaceFolderException>(() => HuggingFaceModel.Load(_folder, options));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(_folder, e.Folder);
        return e.Message;
    }

    [Fact]
    public void MissingConfig()
    {
        Assert.Equal($"{Path.Combine(_folder, "config.json")} not found: a Hugging Face model folder needs its config.json", Refused());
    }

    [Fact]
    public void UnparsableConfig()
    {
        CopyBert();
        File.WriteAllText(Path.Combine(_folder, "config.json"), "{ \"model_type\": ");
        Assert.StartsWith($"{Path.Combine(_folder, "config.json")} is not valid JSON: ", Refused());
    }

    [Fact]
    public void UnknownModelTypeListsTheSupportedOnes()
    {
        CopyBert();
        EditConfig(j => j["model_type"] = "gpt2");
        Assert.Equal($"{Path.Combine(_folder, "config.json")}: model_type 'gpt2' is not supported; supported: bert, distilbert, roberta, xlm-roberta, electra, albert", Refused());
    }

    [Fact]
    public void NoWeightsFile()
    {
        CopyBert();
        File.Delete(Path.Combine(_folder, "model.safetensors"));
        Assert.Equal($"{_folder} has no weights: none of model.safetensors, model.safetensors.index.json, pytorch_model.bin", Refused());
    }

    [Fact]
    public void MissingKey()
    {
        CopyBert();
        EditWeights(w => w.Remove("bert.encoder.layer.1.attention.self.key.weight"));
        Assert.Equal($"{_folder}: key bert.encoder.layer.1.attention.self.key.weight is missing from the weights (expected shape [32, 32])", Refused());
    }

    [Fact]
    public void WrongShapeNamesTheKeyAndBothShapes()
    {
        CopyBert();
        EditWeights(w => w["bert.encoder.layer.0.intermediate.dense.weight"] = zeros(40, 32));
        Assert.Equal($"{Path.Combine(_folder, "model.safetensors")}: key bert.encoder.layer.0.intermediate.dense.weight has shape [40, 32]; the config needs [48, 32]", Refused());
    }

    [Fact]
    public void UnexpectedKey()
    {
        CopyBert();
        EditWeights(w => w["bert.encoder.layer.2.output.dense.weight"] = zeros(2, 2));
        Assert.Equal($"{Path.Combine(_folder, "model.safetensors")}: unexpected key bert.encoder.layer.2.output.dense.weight (shape [2, 2]) for model_type bert", Refused());
    }

    [Theory]
    [InlineData("position_embedding_type", "\"relative_key\"", "position_embedding_type 'relative_key' is not supported; only absolute")]
    [InlineData("is_decoder", "true", "is_decoder true is not supported; only bidirectional encoders are")]
    [InlineData("hidden_act", "\"mish\"", "hidden_act 'mish' is not supported; supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish")]
    [InlineData("problem_type", "\"multi_label_classification\"", "problem_type multi_label_classification is not supported; the exits are single-label classifiers")]
    [InlineData("problem_type", "\"regression\"", "a single-output (regression) head is not supported; the exits are classifiers")]
    public void UnsupportedConfigValueIsRefusedByName(string field, string value, string message)
    {
        CopyBert();
        EditConfig(j => j[field] = JsonNode.Parse(value));
        Assert.Equal($"{Path.Combine(_folder, "config.json")}: {message}", Refused());
    }

    [Fact]
    public void AlbertWithTwoHiddenGroupsIsRefused()
    {
        foreach (string f in Directory.GetFiles(HuggingFaceImportTests.Golden("albert")))
            File.Copy(f, Path.Combine(_folder, Path.GetFileName(f)));
        EditConfig(j => j["num_hidden_groups"] = 2);
        Assert.Equal($"{Path.Combine(_folder, "config.json")}: num_hidden_groups 2 is not supported; only 1 (one shared layer)", Refused());
    }

    [Fact]
    public void BareBackboneNeedsAClassCount()
    {
        CopyBert();
        EditWeights(w =>
        {
            w.Remove("classifier.weight");
            w.Remove("classifier.bias");
        });
        Assert.Equal($"{_folder} has no classifier head (no key classifier.weight); give HuggingFaceImportOptions.ClassCount for a new one", Refused());
        // With one it imports; the pooler it no longer uses is skipped, not an error.
        var imported = HuggingFaceModel.Load(_folder, new HuggingFaceImportOptions { ClassCount = 5 });
        using var model = imported.Model;
        Assert.False(imported.HasClassifierHead);
        Assert.Equal(5, model.Config.ClassCount);
        Assert.Equal(["LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3", "LABEL_4"], imported.LabelNames);
    }

    [Fact]
    public void ClassifierHeadWithoutADenseLayerForTheNewExitsIsRefused()
    {
        CopyBert();
        string m = Refused(new HuggingFaceImportOptions { HeadDense = false });
        Assert.Equal($"{Path.Combine(_folder, "config.json")}: the checkpoint's classifier reads [CLS] through a dense layer, so the heads must have HeadDense too (they share it)", m);
    }

    [Fact]
    public void ShardIndexNamingAMissingShard()
    {
        foreach (string f in Directory.GetFiles(HuggingFaceImportTests.Golden("xlm-roberta")))
            File.Copy(f, Path.Combine(_folder, Path.GetFileName(f)));
        File.Delete(Path.Combine(_folder, "model-00002-of-00002.safetensors"));
        Assert.Equal($"{Path.Combine(_folder, "model.safetensors.index.json")} names shard model-00002-of-00002.safetensors, which is not in the folder", Refused());
    }

    [Fact]
    public void SafetensorsEntryWhoseBytesDoNotFitItsShape()
    {
        CopyBert();
        string path = Path.Combine(_folder, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(path);
        // Truncate the data: the last tensor's byte range now runs past the end of the file.
        File.WriteAllBytes(path, bytes[..^4]);
        string m = Refused();
        Assert.StartsWith($"{path}: tensor ", m);
        Assert.Contains("does not fit its shape or the file's", m);
    }

    [Fact]
    public void UnreadablePickle()
    {
        CopyBert();
        File.Delete(Path.Combine(_folder, "model.safetensors"));
        File.WriteAllText(Path.Combine(_folder, "pytorch_model.bin"), "not a pickle");
        Assert.StartsWith($"{Path.Combine(_folder, "pytorch_model.bin")} could not be read as a PyTorch state dict: ", Refused());
    }

    [Fact]
    public void LegacyGammaBetaLayerNormNamesImportAsWeightAndBias()
    {
        CopyBert();
        using var before = HuggingFaceModel.Load(_folder).Model;
        EditWeights(w =>
        {
            foreach (string k in w.Keys.Where(k => k.Contains("LayerNorm.", StringComparison.Ordinal)).ToList())
            {
                w[k.Replace("LayerNorm.weight", "LayerNorm.gamma", StringComparison.Ordinal).Replace("LayerNorm.bias", "LayerNorm.beta", StringComparison.Ordinal)] = w[k];
                w.Remove(k);
            }
        });
        Assert.Contains("\"bert.embeddings.LayerNorm.gamma\"", File.ReadAllText(Path.Combine(_folder, "model.safetensors")));
        using var after = HuggingFaceModel.Load(_folder).Model;
        var a = before.state_dict();
        var b = after.state_dict();
        foreach (string k in a.Keys.Where(k => !k.StartsWith("exits.0.", StringComparison.Ordinal)))
            Assert.True(a[k].eq(b[k]).all().item<bool>(), k);
    }

    [Fact]
    public void ExitHeadsWithoutDenseBesideAClassifierWithOneIsRefused()
    {
        using (var model = HuggingFaceModel.Load(HuggingFaceImportTests.Golden("bert")).Model)
            HuggingFaceModel.Write(model, ["negative", "neutral", "positive"], _folder);
        string path = Path.Combine(_folder, HuggingFaceModel.ExitHeadsFileName);
        var heads = SafetensorsFile.Read(path, m => new InvalidOperationException(m));
        Assert.Equal(["exits.0.classifier.bias", "exits.0.classifier.weight", "exits.0.dense.bias", "exits.0.dense.weight"], heads.Keys.Order(StringComparer.Ordinal));
        heads.Remove("exits.0.dense.weight");
        heads.Remove("exits.0.dense.bias");
        SafetensorsFile.Write(path, heads);
        Assert.Equal($"{path}: the internal exits have no dense layer but the checkpoint's classifier has one; the heads share one HeadDense", Refused());
    }
}
