using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.IO;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Import;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Training;

namespace EarlyExit;

/// <summary>
/// The folder a trained model lives in (<c>--out</c> of <c>train</c>, <c>--model</c> of every
/// other command), and the one place its layout is written down:
/// <list type="table">
/// <item><term><c>checkpoint.json</c>, <c>model.safetensors</c></term><description>the model
/// (<see cref="ModelCheckpoint"/>): architecture, label names, tokenizer settings, weights; after
/// <c>calibrate</c>, <c>checkpoint.json</c> also holds the calibration
/// (<see cref="ExitCalibrationJson"/>) under <c>calibration</c>.</description></item>
/// <item><term><c>training.json</c></term><description>how it was trained: data, objective,
/// options, each epoch's validation accuracies, seconds.</description></item>
/// <item><term><c>training/</c></term><description>the trainer's <c>best/</c> and <c>last/</c>
/// while training runs; <c>last/</c> is the resume state after Ctrl-C. Removed once training
/// completes.</description></item>
/// <item><term><c>tokenizer/</c></term><description>the tokenizer files of a model that did not start
/// from the bundled all-MiniLM-L6-v2 (one imported from a Hugging Face folder, <c>hf:PATH</c>), copied
/// there before training so the folder is whole on its own; <see cref="TokenizerSettings.Folder"/>
/// names it.</description></item>
/// <item><term><c>validation.eetrace</c>, <c>test.eetrace</c></term><description>every exit's logits on
/// that split (<see cref="Core.Traces.ExitTraceFile"/>), cached so that calibrate, evaluate and
/// report replay policies without running the model again; <c>traces.json</c> records which data
/// and which weights each was recorded from, and a trace is recorded again when either
/// changes.</description></item>
/// </list>
/// <para>A Hugging Face model folder can stand in wherever a model is only read (predict, serve,
/// export, the library): <see cref="Open"/> of <c>hf:PATH</c> gives a read-only
/// <see cref="ModelDirectory"/> whose <see cref="LoadModel"/> imports it
/// (<see cref="HuggingFaceModel.Load"/>: the fine-tuned head as the final exit, new internal exits)
/// and whose tokenizer is the folder's own. It holds no calibration or traces: calibrate, evaluate
/// and report need a model folder of their own, which <c>train --model hf:PATH</c> makes.</para>
/// </summary>
public sealed class ModelDirectory
{
    /// <summary>The training summary file.</summary>
    public const string TrainingLogFileName = "training.json";

    /// <summary>The trainer's working folder (best/ and last/).</summary>
    public const string TrainingFolderName = "training";

    /// <summary>The file that says what each cached trace was recorded from.</summary>
    public const string TraceManifestFileName = "traces.json";

    /// <summary>The folder of the tokenizer files, for a model whose tokenizer is not the bundled one.</summary>
    public const string TokenizerFolderName = "tokenizer";

    /// <summary>The prefix of a <c>--model</c> value that names a Hugging Face model folder: <c>hf:PATH</c>.</summary>
    public const string HuggingFacePrefix = "hf:";

    /// <summary>Names a model folder; nothing is read or created yet.</summary>
    /// <param name="path">The folder.</param>
    public ModelDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    private ModelDirectory(string path, bool huggingFace) : this(path) => IsHuggingFace = huggingFace;

    /// <summary>
    /// Whether this is a Hugging Face model folder opened as <c>hf:PATH</c>: read only, imported on
    /// <see cref="LoadModel"/>, with no calibration and no traces.
    /// </summary>
    public bool IsHuggingFace { get; }

    /// <summary>Whether <paramref name="model"/> names a Hugging Face folder (<c>hf:PATH</c>).</summary>
    /// <param name="model">A <c>--model</c> value.</param>
    public static bool NamesHuggingFace(string? model) =>
        model is not null && model.StartsWith(HuggingFacePrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder, as an absolute path.</summary>
    public string Path { get; }

    /// <summary><c>checkpoint.json</c>.</summary>
    public string MetadataPath => System.IO.Path.Combine(Path, ModelCheckpoint.MetadataFileName);

    /// <summary><c>model.safetensors</c>.</summary>
    public string WeightsPath => System.IO.Path.Combine(Path, ModelCheckpoint.WeightsFileName);

    /// <summary><c>training.json</c>.</summary>
    public string TrainingLogPath => System.IO.Path.Combine(Path, TrainingLogFileName);

    /// <summary><c>training/</c>.</summary>
    public string TrainingPath => System.IO.Path.Combine(Path, TrainingFolderName);

    /// <summary><c>traces.json</c>.</summary>
    public string TraceManifestPath => System.IO.Path.Combine(Path, TraceManifestFileName);

    /// <summary><c>tokenizer/</c>.</summary>
    public string TokenizerPath => System.IO.Path.Combine(Path, TokenizerFolderName);

    /// <summary><c>training/last/</c>: the resume state of a stopped run.</summary>
    public string ResumePath => System.IO.Path.Combine(TrainingPath, MultiExitTrainer.ResumeDirectoryName);

    /// <summary>True when <c>training/last/</c> holds a stopped run's state, so train goes on from it.</summary>
    public bool HasResumeState => File.Exists(System.IO.Path.Combine(ResumePath, MultiExitTrainer.StateFileName));

    /// <summary>
    /// True when the folder holds a finished model: both checkpoint files, and no <c>training/</c>
    /// (train removes it last, so while it is there the two files may be a half-made copy).
    /// </summary>
    public bool HasModel => File.Exists(MetadataPath) && File.Exists(WeightsPath) && !Directory.Exists(TrainingPath);

    /// <summary>
    /// Clears what a killed write left, before a command writes into the folder: the temporary
    /// files of unfinished atomic writes (in the folder, <c>training/best/</c> and
    /// <c>training/last/</c>), and a half-switched <c>best/</c> or <c>last/</c> generation, which goes
    /// back to its last whole one (<see cref="AtomicDirectory.Recover"/>).
    /// </summary>
    /// <returns>How many temporary files were removed.</returns>
    public int RecoverInterruptedWrites()
    {
        string best = System.IO.Path.Combine(TrainingPath, MultiExitTrainer.BestDirectoryName);
        if (Directory.Exists(TrainingPath))
        {
            AtomicDirectory.Recover(ResumePath);
            AtomicDirectory.Recover(best);
        }
        return AtomicFile.RemoveLeftovers(Path) + AtomicFile.RemoveLeftovers(best) + AtomicFile.RemoveLeftovers(ResumePath);
    }

    /// <summary>The cached exit trace of a split: <c>validation.eetrace</c> or <c>test.eetrace</c>.</summary>
    /// <param name="split">Validation or test.</param>
    public string TracePath(DatasetSplit split) =>
        System.IO.Path.Combine(Path, split.ToString().ToLowerInvariant() + Core.Traces.ExitTraceFile.Extension);

    /// <summary>Opens a folder that must hold a finished model.</summary>
    /// <param name="path">The <c>--model</c> value.</param>
    /// <exception cref="ModelFolderException">The folder does not exist or holds no model.</exception>
    public static ModelDirectory Open(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ModelFolderException(path ?? "", "the folder name is empty");
        if (NamesHuggingFace(path)) return OpenHuggingFace(path[HuggingFacePrefix.Length..]);
        var directory = new ModelDirectory(path);
        if (!Directory.Exists(directory.Path))
            throw new ModelFolderException(path, $"no such folder; train a model first (earlyexit train --data DATA --out {path})");
        if (!directory.HasModel)
        {
            string? missing = !File.Exists(directory.MetadataPath) ? ModelCheckpoint.MetadataFileName
                : !File.Exists(directory.WeightsPath) ? ModelCheckpoint.WeightsFileName : null;
            string hint = Directory.Exists(directory.TrainingPath)
                ? "its training did not finish; run the same train command again to resume"
                : $"train one with earlyexit train --data DATA --out {path}";
            throw new ModelFolderException(path, $"not a model folder ({(missing is null ? "training/ is still there" : "no " + missing)}); {hint}");
        }
        return directory;
    }

    /// <summary>Opens a Hugging Face model folder read-only; <see cref="LoadModel"/> imports it.</summary>
    /// <param name="folder">The folder (without the <c>hf:</c> prefix).</param>
    /// <exception cref="ModelFolderException">The folder does not exist or has no config.json.</exception>
    public static ModelDirectory OpenHuggingFace(string folder)
    {
        string shown = HuggingFacePrefix + folder;
        if (string.IsNullOrWhiteSpace(folder)) throw new ModelFolderException(shown, "the folder name is empty (hf:PATH names a Hugging Face model folder)");
        var directory = new ModelDirectory(folder, huggingFace: true);
        if (!Directory.Exists(directory.Path)) throw new ModelFolderException(shown, "no such folder");
        if (!File.Exists(System.IO.Path.Combine(directory.Path, HuggingFaceModel.ConfigFileName)))
            throw new ModelFolderException(shown, $"not a Hugging Face model folder (no {HuggingFaceModel.ConfigFileName})");
        return directory;
    }

    /// <summary>Which model the folder holds (<c>kind</c> in <c>checkpoint.json</c>; absent = a text encoder; a Hugging Face folder is a text encoder).</summary>
    /// <exception cref="ModelFolderException">The metadata is missing or corrupt.</exception>
    public ModelKind Kind => IsHuggingFace ? ModelKind.TextEncoder : Checked(() => ModelCheckpoint.ReadMetadata(Path)).Kind;

    /// <summary>Loads the text model, in evaluation mode.</summary>
    /// <exception cref="ModelFolderException">The folder holds a vision model, or a checkpoint file is missing or corrupt; the message names it.</exception>
    public LoadedCheckpoint LoadModel()
    {
        if (IsHuggingFace) return ImportHuggingFace(new HuggingFaceImportOptions()).Checkpoint;
        if (Kind != ModelKind.TextEncoder)
            throw new ModelFolderException(Path, $"holds a vision model; this needs a text model (earlyexit train --model {AllMiniLmL6V2.ArchitectureName})");
        return Checked(() => ModelCheckpoint.Load(Path));
    }

    /// <summary>Loads the vision model (ViT or CNN), in evaluation mode.</summary>
    /// <exception cref="ModelFolderException">The folder holds a text model, or a checkpoint file is missing or corrupt; the message names it.</exception>
    public LoadedVisionCheckpoint LoadVisionModel()
    {
        if (Kind != ModelKind.Vision)
            throw new ModelFolderException(Path, "holds a text model; this needs a vision model (earlyexit train --model vit-small, …)");
        return Checked(() => ModelCheckpoint.LoadVision(Path));
    }

    /// <summary>
    /// Imports this Hugging Face folder (<see cref="IsHuggingFace"/>) with its tokenizer: the model, and
    /// metadata whose tokenizer settings point at the folder itself, at the folder's maximum length
    /// (within the encoder's positions).
    /// </summary>
    /// <param name="options">How the heads the folder lacks are built.</param>
    /// <param name="maxLength">The tokenizer's maximum length, or null for the folder's own.</param>
    /// <exception cref="ModelFolderException">The folder or its tokenizer cannot be read; the message names the file.</exception>
    public (LoadedCheckpoint Checkpoint, ImportedModel Import, TextTokenizer Tokenizer) ImportHuggingFace(HuggingFaceImportOptions options, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsHuggingFace) throw new InvalidOperationException($"{Path} was not opened as a Hugging Face folder (hf:PATH)");
        ImportedModel imported;
        try
        {
            imported = HuggingFaceModel.Load(Path, options);
        }
        catch (HuggingFaceFolderException e)
        {
            throw new ModelFolderException(HuggingFacePrefix + Path, e.Message, e);
        }
        try
        {
            int limit = imported.Model.Config.MaxSequenceLength;
            TextTokenizer tokenizer = TextTokenizer.FromFolder(Path, maxLength);
            if (tokenizer.Options.MaxLength > limit) tokenizer = TextTokenizer.FromFolder(Path, limit);
            var settings = new TokenizerSettings(System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(Path)), tokenizer.Options.LowerCase, tokenizer.Options.MaxLength) { Folder = "." };
            var metadata = new CheckpointMetadata { Config = imported.Model.Config, LabelNames = imported.LabelNames, Tokenizer = settings };
            return (new LoadedCheckpoint(imported.Model, metadata), imported, tokenizer);
        }
        catch (Exception e) when (e is TokenizerFolderException or ArgumentOutOfRangeException)
        {
            imported.Model.Dispose();
            throw new ModelFolderException(HuggingFacePrefix + Path, e.Message, e);
        }
    }

    private T Checked<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (CheckpointException e)
        {
            throw new ModelFolderException(Path, $"corrupt checkpoint: {e.Message}", e);
        }
    }

    /// <summary>Reads the metadata alone (no weights), e.g. for the calibration.</summary>
    /// <exception cref="ModelFolderException">The file is not valid JSON.</exception>
    public JsonObject ReadMetadataJson()
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(MetadataPath)) as JsonObject
                ?? throw new ModelFolderException(Path, $"corrupt checkpoint: {MetadataPath} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ModelFolderException(Path, $"corrupt checkpoint: {MetadataPath} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The calibration stored with the model, or null before <c>calibrate</c>.</summary>
    /// <param name="metadata">The loaded metadata.</param>
    /// <exception cref="ModelFolderException">The stored calibration is malformed.</exception>
    public ExitCalibration? ReadCalibration(CheckpointMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return ReadCalibration(metadata.Calibration);
    }

    /// <summary>The calibration in a checkpoint's JSON <c>calibration</c> field, or null when absent.</summary>
    /// <param name="calibration">The field.</param>
    /// <exception cref="ModelFolderException">The stored calibration is malformed.</exception>
    public ExitCalibration? ReadCalibration(JsonObject? calibration)
    {
        if (calibration is null) return null;
        try
        {
            return ExitCalibrationJson.FromJsonObject(calibration, MetadataPath);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFolderException(Path, $"corrupt calibration: {e.Message}; run calibrate again", e);
        }
    }

    /// <summary>
    /// Turns a completed training run into the finished model folder: the checkpoint, then
    /// <c>training.json</c>, then <c>training/</c> removed.
    /// </summary>
    /// <param name="bestCheckpoint">The trainer's <c>best/</c>, copied as the model; or null when no
    /// epoch was validated, and then <paramref name="model"/> is saved as it is.</param>
    /// <param name="model">The trained model, with its final weights.</param>
    /// <param name="metadata">What the checkpoint stores beside <paramref name="model"/>'s weights.</param>
    /// <param name="trainingLog">The content of <c>training.json</c>.</param>
    /// <remarks>Each file is written atomically, the checkpoint's metadata after its weights, and
    /// <c>training/</c> goes last: a run killed on the way leaves the resume state, a whole model,
    /// or both, and the same train command then finishes the folder.</remarks>
    public void WriteTrainedModel(string? bestCheckpoint, IMultiExitNetwork model, CheckpointMetadata metadata, JsonObject trainingLog)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(trainingLog);
        if (bestCheckpoint is not null)
        {
            AtomicFile.Copy(System.IO.Path.Combine(bestCheckpoint, ModelCheckpoint.WeightsFileName), WeightsPath);
            AtomicFile.Copy(System.IO.Path.Combine(bestCheckpoint, ModelCheckpoint.MetadataFileName), MetadataPath);
        }
        else
        {
            ModelCheckpoint.Save(model, metadata, Path);
        }
        AtomicFile.WriteAllText(TrainingLogPath, trainingLog.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (Directory.Exists(TrainingPath)) Directory.Delete(TrainingPath, recursive: true);
    }

    /// <summary>SHA-256 of the weights, hex: which weights a cached trace came from.</summary>
    public string WeightsHash() => FileHash.Sha256(WeightsPath);

    /// <summary>
    /// The tokenizer the model was trained with, from its checkpoint's settings: the tokenizer files
    /// in the folder <see cref="TokenizerSettings.Folder"/> names, or else the bundled
    /// all-MiniLM-L6-v2 word pieces with the recorded lower-casing; the recorded maximum length either
    /// way (the defaults when the checkpoint records no settings).
    /// </summary>
    /// <param name="metadata">The checkpoint's metadata.</param>
    /// <exception cref="ModelFolderException">The checkpoint names a vocabulary this build does not ship, its tokenizer
    /// files are missing or malformed, or its settings are invalid (a maximum length below
    /// <see cref="TokenizerOptions.MinMaxLength"/> or above the encoder's positions).</exception>
    public TextTokenizer CreateTokenizer(CheckpointMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Tokenizer is not { } settings) return TextTokenizer.ForMiniLm();
        // Checked here, when the model loads: a length of 0 or one beyond the positions would
        // otherwise fail inside the first long text's forward pass, as an internal error.
        if (metadata.Config is { } config && (settings.MaxLength < TokenizerOptions.MinMaxLength || settings.MaxLength > config.MaxSequenceLength))
            throw new ModelFolderException(Path,
                $"{MetadataPath}: the tokenizer's maximum length is {settings.MaxLength}; it must be between {TokenizerOptions.MinMaxLength} and the encoder's {config.MaxSequenceLength} positions");
        if (settings.Folder is null && !string.Equals(settings.Vocabulary, AllMiniLmL6V2.VocabularyName, StringComparison.OrdinalIgnoreCase))
            throw new ModelFolderException(Path, $"the model was trained with vocabulary '{settings.Vocabulary}'; this earlyexit ships only '{AllMiniLmL6V2.VocabularyName}'");
        try
        {
            return settings.Folder is { } relative
                ? TextTokenizer.FromFolder(System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, relative)), settings.MaxLength)
                : TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = settings.MaxLength, LowerCase = settings.LowerCase });
        }
        catch (TokenizerFolderException e)
        {
            throw new ModelFolderException(Path, e.Message, e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ModelFolderException(Path, $"{MetadataPath}: tokenizer settings are invalid: {e.Message}", e);
        }
    }

    /// <summary>
    /// Copies a tokenizer's files into <see cref="TokenizerPath"/>, each atomically; train does it
    /// before it trains, while <c>training/</c> still says the folder is not a model yet.
    /// </summary>
    /// <param name="tokenizer">A tokenizer read from a folder (<see cref="TextTokenizer.FromFolder"/>).</param>
    /// <param name="sourceFolder">The folder it was read from.</param>
    /// <returns>The settings to record: <see cref="TokenizerSettings.Folder"/> = <see cref="TokenizerFolderName"/>.</returns>
    public TokenizerSettings CopyTokenizer(TextTokenizer tokenizer, string sourceFolder)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrEmpty(sourceFolder);
        CopyFiles(tokenizer.Files, sourceFolder, TokenizerPath);
        return Settings(tokenizer, TokenizerFolderName, System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(sourceFolder)));
    }

    /// <summary>
    /// Writes files from which <see cref="TextTokenizer.FromFolder"/> (and Hugging Face's own loaders)
    /// rebuild this model's tokenizer into <paramref name="destination"/>: the copied files of an
    /// imported tokenizer, or, for the bundled MiniLM one, its <c>vocab.txt</c> (written back id by id
    /// from the tokenizer itself), <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>.
    /// </summary>
    /// <param name="metadata">The checkpoint's metadata.</param>
    /// <param name="destination">The folder to write into (created if missing).</param>
    /// <returns>What an export's manifest records of the tokenizer: kind, layout, files, maximum length.</returns>
    /// <exception cref="ModelFolderException">As for <see cref="CreateTokenizer"/>.</exception>
    public JsonObject WriteTokenizerFiles(CheckpointMetadata metadata, string destination)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        TextTokenizer tokenizer = CreateTokenizer(metadata);
        Directory.CreateDirectory(destination);
        IReadOnlyList<string> files;
        if (metadata.Tokenizer?.Folder is { } relative)
        {
            CopyFiles(tokenizer.Files, System.IO.Path.Combine(Path, relative), destination);
            files = tokenizer.Files;
        }
        else
        {
            files = WriteWordPieceFiles(tokenizer, destination);
        }
        return new JsonObject
        {
            ["kind"] = tokenizer.Kind.ToString(),
            ["layout"] = tokenizer.Layout.ToString(),
            ["lower_case"] = tokenizer.Options.LowerCase,
            ["max_length"] = tokenizer.Options.MaxLength,
            ["files"] = new JsonArray([.. files.Select(f => (JsonNode)f)]),
        };
    }

    /// <summary>The settings a checkpoint records for a tokenizer.</summary>
    private static TokenizerSettings Settings(TextTokenizer tokenizer, string? folder, string vocabulary) =>
        new(vocabulary, tokenizer.Options.LowerCase, tokenizer.Options.MaxLength) { Folder = folder };

    private static void CopyFiles(IReadOnlyList<string> files, string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in files)
            AtomicFile.Copy(System.IO.Path.Combine(source, file), System.IO.Path.Combine(destination, file));
    }

    /// <summary>A BERT word-piece tokenizer as Hugging Face saves one: vocab.txt, tokenizer_config.json, special_tokens_map.json.</summary>
    private static string[] WriteWordPieceFiles(TextTokenizer tokenizer, string destination)
    {
        // vocab.txt: line i is id i, so the tokenizer's own id → token map writes it back exactly.
        var vocabulary = new System.Text.StringBuilder();
        for (int id = 0; id < tokenizer.VocabularySize; id++) vocabulary.Append(tokenizer.TokenOf(id)).Append('\n');
        AtomicFile.WriteAllText(System.IO.Path.Combine(destination, "vocab.txt"), vocabulary.ToString());
        var special = new JsonObject
        {
            ["cls_token"] = tokenizer.TokenOf(tokenizer.ClassificationId),
            ["sep_token"] = tokenizer.TokenOf(tokenizer.SeparatorId),
            ["pad_token"] = tokenizer.TokenOf(tokenizer.PaddingId),
            ["unk_token"] = tokenizer.TokenOf(tokenizer.UnknownId),
        };
        JsonObject config = (JsonObject)special.DeepClone();
        config["tokenizer_class"] = "BertTokenizer";
        config["do_lower_case"] = tokenizer.Options.LowerCase;
        config["strip_accents"] = tokenizer.Options.StripAccents;
        config["model_max_length"] = tokenizer.Options.MaxLength;
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(System.IO.Path.Combine(destination, "tokenizer_config.json"), config.ToJsonString(indented));
        AtomicFile.WriteAllText(System.IO.Path.Combine(destination, "special_tokens_map.json"), special.ToJsonString(indented));
        return ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"];
    }
}
