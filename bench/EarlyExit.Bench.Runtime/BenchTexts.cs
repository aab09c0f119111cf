namespace EarlyExit.Bench.Runtime;

/// <summary>
/// Real English prose for the benchmark: 64 distinct texts, each long enough to fill 128 tokens
/// after truncation, built by starting a paragraph of varied sentences at a different sentence
/// and rotating through it.
/// </summary>
internal static class BenchTexts
{
    private static readonly string[] Sentences =
    [
        "The river had risen overnight, and by morning the lower fields were under a sheet of brown water.",
        "She closed the laptop, stretched, and realised she had not eaten anything since breakfast.",
        "Critics praised the film's photography but found the second half slow and the ending rushed.",
        "The committee will publish its recommendations after the public consultation closes in March.",
        "A small bakery on the corner sells bread that is still warm when the first commuters pass by.",
        "Engineers traced the outage to a configuration change that had been tested only on a single server.",
        "He had promised to call when the train arrived, but the station was silent and his phone was dead.",
        "Prices of fresh vegetables climbed sharply after the drought reduced harvests across the region.",
        "The museum's new wing displays tools, maps and letters from the first expedition to the glacier.",
        "Although the hotel was expensive, the staff were friendly and the view over the harbour was superb.",
        "Researchers found that students who slept well before the exam remembered more of what they had read.",
        "The orchestra rehearsed the symphony for weeks, yet the opening night still felt like a gamble.",
        "Heavy snow closed the mountain pass, leaving dozens of lorries stranded at the border crossing.",
        "My neighbour repairs old bicycles in his garage and gives them to children who cannot afford one.",
        "The software update fixed the battery problem but introduced a bug that froze the camera app.",
        "Volunteers planted three thousand trees along the motorway to reduce noise and clean the air.",
    ];

    /// <summary>Text i starts at sentence i mod 16 and, for i ≥ 16, skips every (i / 16 + 1)-th sentence, so all 64 differ.</summary>
    public static IReadOnlyList<string> Create(int count)
    {
        var texts = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int stride = (i / Sentences.Length) + 1;
            var picked = new List<string>();
            for (int j = 0; picked.Count < 10; j++)
            {
                if (stride > 1 && j % stride == stride - 1) continue;
                picked.Add(Sentences[(i + j) % Sentences.Length]);
            }
            texts.Add(string.Join(" ", picked));
        }
        return texts;
    }
}
