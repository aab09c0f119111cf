using System.Globalization;
using System.Text;

namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>
/// A small labelled CSV written to a temporary folder (synthetic data, our choice for fast
/// tests): "spam" texts drawn from one vocabulary, "ham" texts from another, so even a frozen
/// MiniLM with freshly trained heads separates them after a few steps.
/// </summary>
internal static class SyntheticMails
{
    private static readonly string[] SpamWords = ["free", "win", "prize", "cash", "offer", "click", "cheap", "winner", "urgent", "bonus", "deal", "credit"];
    private static readonly string[] HamWords = ["meeting", "agenda", "project", "report", "lunch", "schedule", "review", "team", "notes", "tomorrow", "budget", "draft"];

    /// <summary>Writes <paramref name="count"/> rows (text,label), half of each class, and returns the file's path.</summary>
    public static string Write(string folder, int count = 200, int seed = 1)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("text,label\n");
        for (int i = 0; i < count; i++)
        {
            bool spam = i % 2 == 0;
            string[] words = spam ? SpamWords : HamWords;
            int length = random.Next(6, 13);
            var text = string.Join(' ', Enumerable.Range(0, length).Select(_ => words[random.Next(words.Length)]));
            // The row number keeps every text distinct (the splitter keeps duplicates on one side).
            csv.Append(CultureInfo.InvariantCulture, $"\"{text} {i}\",{(spam ? "spam" : "ham")}\n");
        }
        string path = Path.Combine(folder, "mails.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }
}
