/**
 * Example data written by `seedWorkRoot`. Hand-written instruction records (English and Chinese)
 * and Fisher's Iris data (public domain; the 150 rows of the 1936 paper, with the two UCI
 * transcription errors in rows 35 and 38 corrected).
 */
/** Alpaca-style instruction records: `{instruction, input, output}`, one JSON object per line. */
export const ALPACA_ZH_MINI_RECORDS: readonly { instruction: string; input: string; output: string }[] = [
  {
    instruction: 'Translate the following sentence into Chinese.',
    input: 'The early bird catches the worm.',
    output: '早起的鸟儿有虫吃。',
  },
  {
    instruction: '把下面这句话翻译成英文。',
    input: '今天的会议改到下午三点。',
    output: "Today's meeting has been moved to 3 p.m.",
  },
  {
    instruction: 'Give three tips for staying focused while working from home.',
    input: '',
    output:
      '1. Keep a dedicated workspace that you only use for work.\n2. Plan your day in short blocks with a clear goal for each.\n3. Silence notifications and check messages at set times.',
  },
  {
    instruction: '用一句话解释什么是机器学习。',
    input: '',
    output: '机器学习是让计算机从数据中自动学习规律，并用这些规律对新数据做出预测或决策的方法。',
  },
  {
    instruction: 'Summarize the paragraph in one sentence.',
    input:
      'Photosynthesis is the process by which green plants use sunlight, water and carbon dioxide to produce glucose and oxygen. It takes place mainly in the chloroplasts of leaf cells and is the basis of almost every food chain on Earth.',
    output:
      'Plants turn sunlight, water and carbon dioxide into glucose and oxygen in their chloroplasts, which feeds nearly all life on Earth.',
  },
  {
    instruction: '请判断下面这条评论的情感倾向（正面、负面或中性）。',
    input: '快递很快，包装也很好，但是耳机的音质一般。',
    output: '中性：评论肯定了物流和包装，但对产品本身的音质评价一般，正负两方面都有。',
  },
  {
    instruction: 'Write a Python function that returns the n-th Fibonacci number.',
    input: '',
    output:
      'def fibonacci(n: int) -> int:\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a',
  },
  {
    instruction: '给下面的文章起一个简洁的标题。',
    input: '随着城市人口不断增加，越来越多的年轻人选择在周末到郊区露营，既能远离喧嚣，又能和朋友一起做饭、看星星。',
    output: '周末露营：城市年轻人的新休闲方式',
  },
  {
    instruction: 'Classify the animal as a mammal, bird, reptile, amphibian or fish.',
    input: 'dolphin',
    output: 'Mammal. Dolphins breathe air, are warm-blooded and nurse their young with milk.',
  },
  {
    instruction: '解释成语“画蛇添足”的意思，并造一个句子。',
    input: '',
    output: '“画蛇添足”比喻做了多余的事，反而把事情弄糟。例句：这份报告已经很清楚了，再加那么多图表反而是画蛇添足。',
  },
  {
    instruction: 'Rewrite the sentence in the passive voice.',
    input: 'The committee approved the new budget on Monday.',
    output: 'The new budget was approved by the committee on Monday.',
  },
  {
    instruction: '计算下面的数学题，并写出步骤。',
    input: '一件衣服原价 240 元，打八折后又减 20 元，最后要付多少钱？',
    output: '先打八折：240 × 0.8 = 192 元；再减 20 元：192 − 20 = 172 元。最后要付 172 元。',
  },
  {
    instruction: 'Explain the difference between a list and a tuple in Python.',
    input: '',
    output:
      'A list is mutable: you can add, remove or change its items. A tuple is immutable once created, which makes it hashable (usable as a dict key when its items are) and slightly lighter. Use a list for a collection that changes and a tuple for a fixed record.',
  },
  {
    instruction: '请用中文回答：为什么天空是蓝色的？',
    input: '',
    output:
      '太阳光进入大气层后会被空气分子散射，波长越短的光散射得越强（瑞利散射）。蓝光的波长比红光短，被散射到各个方向，所以我们看天空时看到的主要是蓝色。',
  },
  {
    instruction: 'Extract the person names from the text.',
    input: 'Yesterday Li Wei met Sarah Johnson and Zhang Min at the conference in Shanghai.',
    output: 'Li Wei, Sarah Johnson, Zhang Min',
  },
  {
    instruction: '把下面的口语改写成正式的书面语。',
    input: '这个方案我觉得挺靠谱的，咱们就这么干吧。',
    output: '经评估，该方案切实可行，建议按此方案推进实施。',
  },
  {
    instruction: 'Write a short, polite email declining a meeting invitation.',
    input: 'Meeting: quarterly planning, Thursday 10:00',
    output:
      "Hi Anna,\n\nThank you for the invitation to Thursday's quarterly planning meeting. Unfortunately I have a prior commitment at 10:00 and can't attend. Could you share the notes afterwards? I'm happy to send my input by Wednesday.\n\nBest regards,\nTom",
  },
  {
    instruction: '用三个关键词概括下面这段话。',
    input: '新能源汽车销量持续增长，充电桩建设加快，电池成本不断下降。',
    output: '新能源汽车、充电基础设施、电池成本',
  },
  {
    instruction: 'Convert the temperature from Celsius to Fahrenheit.',
    input: '37 °C',
    output: '37 °C × 9/5 + 32 = 98.6 °F',
  },
  {
    instruction: '写一首关于秋天的四行短诗。',
    input: '',
    output: '秋风轻轻吹过田野，\n稻穗低头弯成金色的弧线，\n一片落叶写下思念，\n寄给远方的夏天。',
  },
];

export const IRIS_CSV = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
4.9,3.0,1.4,0.2,setosa
4.7,3.2,1.3,0.2,setosa
4.6,3.1,1.5,0.2,setosa
5.0,3.6,1.4,0.2,setosa
5.4,3.9,1.7,0.4,setosa
4.6,3.4,1.4,0.3,setosa
5.0,3.4,1.5,0.2,setosa
4.4,2.9,1.4,0.2,setosa
4.9,3.1,1.5,0.1,setosa
5.4,3.7,1.5,0.2,setosa
4.8,3.4,1.6,0.2,setosa
4.8,3.0,1.4,0.1,setosa
4.3,3.0,1.1,0.1,setosa
5.8,4.0,1.2,0.2,setosa
5.7,4.4,1.5,0.4,setosa
5.4,3.9,1.3,0.4,setosa
5.1,3.5,1.4,0.3,setosa
5.7,3.8,1.7,0.3,setosa
5.1,3.8,1.5,0.3,setosa
5.4,3.4,1.7,0.2,setosa
5.1,3.7,1.5,0.4,setosa
4.6,3.6,1.0,0.2,setosa
5.1,3.3,1.7,0.5,setosa
4.8,3.4,1.9,0.2,setosa
5.0,3.0,1.6,0.2,setosa
5.0,3.4,1.6,0.4,setosa
5.2,3.5,1.5,0.2,setosa
5.2,3.4,1.4,0.2,setosa
4.7,3.2,1.6,0.2,setosa
4.8,3.1,1.6,0.2,setosa
5.4,3.4,1.5,0.4,setosa
5.2,4.1,1.5,0.1,setosa
5.5,4.2,1.4,0.2,setosa
4.9,3.1,1.5,0.2,setosa
5.0,3.2,1.2,0.2,setosa
5.5,3.5,1.3,0.2,setosa
4.9,3.6,1.4,0.1,setosa
4.4,3.0,1.3,0.2,setosa
5.1,3.4,1.5,0.2,setosa
5.0,3.5,1.3,0.3,setosa
4.5,2.3,1.3,0.3,setosa
4.4,3.2,1.3,0.2,setosa
5.0,3.5,1.6,0.6,setosa
5.1,3.8,1.9,0.4,setosa
4.8,3.0,1.4,0.3,setosa
5.1,3.8,1.6,0.2,setosa
4.6,3.2,1.4,0.2,setosa
5.3,3.7,1.5,0.2,setosa
5.0,3.3,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.4,3.2,4.5,1.5,versicolor
6.9,3.1,4.9,1.5,versicolor
5.5,2.3,4.0,1.3,versicolor
6.5,2.8,4.6,1.5,versicolor
5.7,2.8,4.5,1.3,versicolor
6.3,3.3,4.7,1.6,versicolor
4.9,2.4,3.3,1.0,versicolor
6.6,2.9,4.6,1.3,versicolor
5.2,2.7,3.9,1.4,versicolor
5.0,2.0,3.5,1.0,versicolor
5.9,3.0,4.2,1.5,versicolor
6.0,2.2,4.0,1.0,versicolor
6.1,2.9,4.7,1.4,versicolor
5.6,2.9,3.6,1.3,versicolor
6.7,3.1,4.4,1.4,versicolor
5.6,3.0,4.5,1.5,versicolor
5.8,2.7,4.1,1.0,versicolor
6.2,2.2,4.5,1.5,versicolor
5.6,2.5,3.9,1.1,versicolor
5.9,3.2,4.8,1.8,versicolor
6.1,2.8,4.0,1.3,versicolor
6.3,2.5,4.9,1.5,versicolor
6.1,2.8,4.7,1.2,versicolor
6.4,2.9,4.3,1.3,versicolor
6.6,3.0,4.4,1.4,versicolor
6.8,2.8,4.8,1.4,versicolor
6.7,3.0,5.0,1.7,versicolor
6.0,2.9,4.5,1.5,versicolor
5.7,2.6,3.5,1.0,versicolor
5.5,2.4,3.8,1.1,versicolor
5.5,2.4,3.7,1.0,versicolor
5.8,2.7,3.9,1.2,versicolor
6.0,2.7,5.1,1.6,versicolor
5.4,3.0,4.5,1.5,versicolor
6.0,3.4,4.5,1.6,versicolor
6.7,3.1,4.7,1.5,versicolor
6.3,2.3,4.4,1.3,versicolor
5.6,3.0,4.1,1.3,versicolor
5.5,2.5,4.0,1.3,versicolor
5.5,2.6,4.4,1.2,versicolor
6.1,3.0,4.6,1.4,versicolor
5.8,2.6,4.0,1.2,versicolor
5.0,2.3,3.3,1.0,versicolor
5.6,2.7,4.2,1.3,versicolor
5.7,3.0,4.2,1.2,versicolor
5.7,2.9,4.2,1.3,versicolor
6.2,2.9,4.3,1.3,versicolor
5.1,2.5,3.0,1.1,versicolor
5.7,2.8,4.1,1.3,versicolor
6.3,3.3,6.0,2.5,virginica
5.8,2.7,5.1,1.9,virginica
7.1,3.0,5.9,2.1,virginica
6.3,2.9,5.6,1.8,virginica
6.5,3.0,5.8,2.2,virginica
7.6,3.0,6.6,2.1,virginica
4.9,2.5,4.5,1.7,virginica
7.3,2.9,6.3,1.8,virginica
6.7,2.5,5.8,1.8,virginica
7.2,3.6,6.1,2.5,virginica
6.5,3.2,5.1,2.0,virginica
6.4,2.7,5.3,1.9,virginica
6.8,3.0,5.5,2.1,virginica
5.7,2.5,5.0,2.0,virginica
5.8,2.8,5.1,2.4,virginica
6.4,3.2,5.3,2.3,virginica
6.5,3.0,5.5,1.8,virginica
7.7,3.8,6.7,2.2,virginica
7.7,2.6,6.9,2.3,virginica
6.0,2.2,5.0,1.5,virginica
6.9,3.2,5.7,2.3,virginica
5.6,2.8,4.9,2.0,virginica
7.7,2.8,6.7,2.0,virginica
6.3,2.7,4.9,1.8,virginica
6.7,3.3,5.7,2.1,virginica
7.2,3.2,6.0,1.8,virginica
6.2,2.8,4.8,1.8,virginica
6.1,3.0,4.9,1.8,virginica
6.4,2.8,5.6,2.1,virginica
7.2,3.0,5.8,1.6,virginica
7.4,2.8,6.1,1.9,virginica
7.9,3.8,6.4,2.0,virginica
6.4,2.8,5.6,2.2,virginica
6.3,2.8,5.1,1.5,virginica
6.1,2.6,5.6,1.4,virginica
7.7,3.0,6.1,2.3,virginica
6.3,3.4,5.6,2.4,virginica
6.4,3.1,5.5,1.8,virginica
6.0,3.0,4.8,1.8,virginica
6.9,3.1,5.4,2.1,virginica
6.7,3.1,5.6,2.4,virginica
6.9,3.1,5.1,2.3,virginica
5.8,2.7,5.1,1.9,virginica
6.8,3.2,5.9,2.3,virginica
6.7,3.3,5.7,2.5,virginica
6.7,3.0,5.2,2.3,virginica
6.3,2.5,5.0,1.9,virginica
6.5,3.0,5.2,2.0,virginica
6.2,3.4,5.4,2.3,virginica
5.9,3.0,5.1,1.8,virginica
`;
