import type { AssetKind } from '@aiplat/api';

/*
 * The CLI's words for datasets and models (`aiplat dataset …`, `aiplat model …`), in English and
 * Simplified Chinese. One object per language, of one type; `assetMessagesFor` picks by the locale
 * of the CLI's environment (AIPLAT_LANG, else LC_ALL, LC_MESSAGES, LANG: `zh…` is Chinese).
 */

function examples(lines: readonly string[], title = 'Examples'): string {
  return `\n${title}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

const exampleLines = (kind: AssetKind): string[] =>
  kind === 'datasets'
    ? [
        'aiplat dataset create alpaca-zh --data-type text --annotation-type instruction',
        'aiplat dataset import alpaca-zh --folder home/data/alpaca',
        'aiplat dataset import alpaca-zh --file ./alpaca.tar.gz',
        'aiplat dataset publish alpaca-zh --description "first cut"',
        'aiplat dataset share alpaca-zh@v1 --expires-in-hours 72',
        'aiplat dataset export alpaca-zh@v1 --archive alpaca-v1.tar',
      ]
    : [
        'aiplat model create qwen-sft',
        'aiplat model import qwen-sft --job job-1a2b3c4d5e --sub-path output',
        'aiplat model import qwen-sft --url https://example.com/model.tar.gz',
        'aiplat model import qwen-sft --share-token <token from another user>',
        'aiplat model accelerate qwen-sft@v1',
        'aiplat model add-shared <token> --name qwen-from-bob',
      ];

const en = {
  noun: (kind: AssetKind): string => (kind === 'datasets' ? 'dataset' : 'model'),
  description: (kind: AssetKind): string =>
    kind === 'datasets'
      ? 'Datasets: a working folder you import into and edit, published as immutable versions (v1, v2, …).'
      : 'Models: versions imported from a folder, a job, a link, an upload or a share token.',
  after: (kind: AssetKind) => examples(exampleLines(kind)),
  name: (kind: AssetKind) => `the ${en.noun(kind)}'s name`,
  ref: (kind: AssetKind) => `the ${en.noun(kind)} and version: name@v1`,
  refOrName: (kind: AssetKind) => `the ${en.noun(kind)}, or one version of it: name or name@v1`,
  output: 'output format: json',
  detach: 'return at once with the task id instead of waiting for it',
  create: {
    description: (kind: AssetKind) => `Create an empty ${en.noun(kind)}.`,
    descriptionOption: 'what it holds',
    dataType: 'the kind of data: text, image or other',
    annotationType: 'how records are annotated (imports check them): none, instruction, conversation, qa, ranking',
    done: (name: string, id: string) => `${name} (${id}): created`,
  },
  list: {
    description: (kind: AssetKind) => `List your ${en.noun(kind)}s and those shared with you.`,
    empty: (kind: AssetKind) => `No ${en.noun(kind)}s yet: aiplat ${en.noun(kind)} create <name>`,
  },
  get: { description: (kind: AssetKind) => `Show a ${en.noun(kind)} with its versions.` },
  delete: {
    description: (kind: AssetKind) =>
      `Delete a ${en.noun(kind)} with its versions and shares (a shared one is only taken off your list).`,
    yes: 'do it without asking',
    confirm: (name: string, versions: number) =>
      `this deletes ${name} with its ${versions} version(s) and shares; run again with --yes to go ahead`,
    done: (name: string) => `${name}: deleted`,
  },
  import: {
    description: (kind: AssetKind): string =>
      kind === 'datasets'
        ? "Import into the dataset's working folder; prints progress and the record check until it ends."
        : "Import the model's next version; prints progress until it ends.",
    folder: 'a folder under /work, e.g. home/runs/sft-1/output',
    job: "a finished job's id: its working folder is imported",
    subPath: "with --job: a folder inside the job's working folder",
    url: 'an http(s) link to a file or an archive',
    file: 'a local file or archive (zip, tar, tar.gz) to upload',
    noExtract: 'with --url or --file: keep an archive as it is instead of extracting it',
    into: 'with --file: a folder inside the dataset to put the files in',
    token: 'a share token of a model another user shared (models; --token stays your API token)',
    descriptionOption: "the new version's description (models)",
    oneSource: 'say where to import from: one of --folder, --job, --url, --file or --share-token (models)',
    tokenForModels: 'a dataset is added from a token with: aiplat dataset add-shared <token>',
    intoForFile: '--into goes with --file',
    subPathForJob: '--sub-path goes with --job',
    cannotRead: (file: string, reason: string) => `cannot read ${file}: ${reason}`,
    started: (id: string, name: string) => `${id}: importing into ${name}`,
    uploading: (file: string, done: string, total: string, percent: number) =>
      `uploading ${file}: ${done} of ${total} (${percent}%)`,
  },
  task: {
    progress: (id: string, action: string, phase: string, detail: string) =>
      `${id}: ${action} ${phase}${detail ? ` ${detail}` : ''}`,
    bytes: (done: string, total: string | undefined, percent: number | undefined) =>
      total === undefined ? done : `${done} of ${total}${percent === undefined ? '' : ` (${percent}%)`}`,
    files: (count: number) => `${count} file(s)`,
    succeeded: (id: string, what: string) => `${id}: succeeded${what ? `: ${what}` : ''}`,
    failed: (id: string, why: string) => `${id}: failed${why ? `: ${why}` : ''}`,
    cancelled: (id: string) => `${id}: cancelled`,
    detached: (id: string, noun: string) => `${id} runs on; follow it with: aiplat ${noun} tasks`,
    records: (type: string, files: number, records: number, bad: number) =>
      `record check (${type}): ${records} record(s) in ${files} file(s), ${bad} bad`,
    problem: (file: string, line: number, message: string) => `  ${line > 0 ? `${file}:${line}` : file}: ${message}`,
    moreProblems: (count: number) => `  … and ${count} more`,
  },
  publish: {
    description: "Publish the dataset's working folder as its next version (datasets).",
    descriptionOption: "the version's description",
    done: (name: string, version: string, files: number, size: string) =>
      `${name}@${version}: published, ${files} file(s), ${size}`,
  },
  versions: {
    description: (kind: AssetKind) => `List a ${en.noun(kind)}'s versions, oldest first.`,
    empty: (name: string) => `${name} has no versions yet`,
  },
  deleteVersion: {
    description: 'Delete one version (its accelerated copy too).',
    done: (ref: string) => `${ref}: deleted`,
  },
  share: {
    description: (kind: AssetKind) =>
      `Make a share token for a ${en.noun(kind)} (every version) or one version of it; printed once.`,
    expires: 'hours until the token stops working (1-8760; default: until revoked)',
    badHours: (value: string) => `--expires-in-hours must be a whole number from 1 to 8760 (got "${value}")`,
    once: (id: string, expires: string | undefined) =>
      `Share ${id} created${expires ? `, works until ${expires}` : ''}. This is the only time the token is shown: keep it now.`,
  },
  shares: {
    description: (kind: AssetKind) => `List a ${en.noun(kind)}'s shares.`,
    empty: (name: string) => `${name} has no shares`,
    everyVersion: 'every version',
    never: 'never',
    revoked: 'revoked',
    active: 'active',
    expired: 'expired',
  },
  revoke: {
    description: 'Revoke a share: the token stops working and those who added it lose it.',
    shareId: 'the share id (from shares)',
    done: (id: string) => `${id}: revoked`,
  },
  addShared: {
    description: (kind: AssetKind) => `Add a ${en.noun(kind)} another user shared with you, read-only, by its token.`,
    token: 'the share token you were given',
    name: 'the name it takes in your list (when you already have one of that name)',
    done: (name: string, owner: string, versions: number) =>
      `${name}: added, shared by ${owner}, ${versions} version(s)`,
  },
  accelerate: {
    description: 'Copy a version onto the fast storage (jobs that use it then read the copy); waits unless --detach.',
  },
  evict: {
    description: "Remove a version's accelerated copy.",
    done: (ref: string) => `${ref}: evicted`,
  },
  export: {
    description: 'Copy a version into a new folder under /work (--to), or download it as a tar archive (--archive).',
    to: 'a new folder under /work, e.g. home/exports/alpaca-v1',
    archive: 'a local .tar file to write (resumes from FILE.part when one is there)',
    oneTarget: 'say where to: --to PATH under /work, or --archive FILE.tar',
    resuming: (file: string, from: string) => `resuming ${file} from ${from}`,
    downloading: (file: string, done: string, total: string, percent: number) =>
      `downloading ${file}: ${done} of ${total} (${percent}%)`,
    saved: (file: string, size: string) => `${file}: ${size}`,
    cannotWrite: (file: string, reason: string) => `cannot write ${file}: ${reason}`,
  },
  tasks: {
    description: (kind: AssetKind) =>
      `List your imports, accelerations and exports of ${en.noun(kind)}s, newest first (or of one ${en.noun(kind)}).`,
    empty: 'No tasks.',
  },
  cancel: {
    description: 'Cancel a running task; what it wrote is removed.',
    task: 'the task id (at-…)',
  },
  noSuch: (kind: AssetKind, name: string) =>
    `no ${en.noun(kind)} ${name} of yours; list them with: aiplat ${en.noun(kind)} list`,
  needsVersion: (ref: string) => `${ref} names no version: give name@v1`,
  badRef: (ref: string) => `${ref} is not name or name@v1`,
  header: {
    name: 'NAME',
    id: 'ID',
    owner: 'OWNER',
    versions: 'VERSIONS',
    latest: 'LATEST',
    type: 'TYPE',
    age: 'AGE',
    version: 'VERSION',
    state: 'STATE',
    files: 'FILES',
    size: 'SIZE',
    accelerated: 'ACCELERATED',
    description: 'DESCRIPTION',
    expires: 'EXPIRES',
    redeemedBy: 'ADDED BY',
    task: 'TASK',
    action: 'ACTION',
    asset: 'ASSET',
    progress: 'PROGRESS',
    message: 'MESSAGE',
    path: 'PATH',
  },
  fields: {
    name: 'Name',
    id: 'ID',
    kind: 'Kind',
    owner: 'Owner',
    sharedBy: 'Shared by',
    readOnly: 'Read-only',
    description: 'Description',
    dataType: 'Data type',
    annotationType: 'Annotation',
    workingPath: 'Working folder',
    created: 'Created',
    versions: 'Versions',
    yes: 'yes',
    no: 'no',
  },
};

export type AssetMessages = typeof en;

const zhNoun = (kind: AssetKind) => (kind === 'datasets' ? '数据集' : '模型');

const zhCN: AssetMessages = {
  noun: en.noun,
  description: (kind) =>
    kind === 'datasets'
      ? '数据集：一个可导入、可编辑的工作目录，发布为不可变的版本（v1、v2、…）。'
      : '模型：从目录、任务、链接、上传文件或分享口令导入的各个版本。',
  after: (kind) => examples(exampleLines(kind), '示例'),
  name: (kind) => `${zhNoun(kind)}名称`,
  ref: (kind) => `${zhNoun(kind)}及版本：name@v1`,
  refOrName: (kind) => `${zhNoun(kind)}或其中一个版本：name 或 name@v1`,
  output: '输出格式：json',
  detach: '不等待任务结束，立即返回任务 ID',
  create: {
    description: (kind) => `创建一个空的${zhNoun(kind)}。`,
    descriptionOption: '描述',
    dataType: '数据类型：text、image 或 other',
    annotationType: '标注类型（导入时检查记录）：none、instruction、conversation、qa、ranking',
    done: (name, id) => `${name}（${id}）：已创建`,
  },
  list: {
    description: (kind) => `列出你的${zhNoun(kind)}以及别人分享给你的${zhNoun(kind)}。`,
    empty: (kind) => `还没有${zhNoun(kind)}：aiplat ${en.noun(kind)} create <名称>`,
  },
  get: { description: (kind) => `显示一个${zhNoun(kind)}及其版本。` },
  delete: {
    description: (kind) => `删除${zhNoun(kind)}及其所有版本和分享（别人分享的只从你的列表中移除）。`,
    yes: '不再确认，直接删除',
    confirm: (name, versions) => `这将删除 ${name} 及其 ${versions} 个版本和所有分享；确认请加上 --yes 再运行`,
    done: (name) => `${name}：已删除`,
  },
  import: {
    description: (kind) =>
      kind === 'datasets'
        ? '导入到数据集的工作目录；显示进度和记录检查结果，直到结束。'
        : '导入为模型的下一个版本；显示进度，直到结束。',
    folder: '/work 下的目录，例如 home/runs/sft-1/output',
    job: '已结束任务的 ID：导入其工作目录',
    subPath: '与 --job 一起：任务工作目录中的子目录',
    url: '文件或压缩包的 http(s) 链接',
    file: '要上传的本地文件或压缩包（zip、tar、tar.gz）',
    noExtract: '与 --url 或 --file 一起：不解压，按原样保存压缩包',
    into: '与 --file 一起：放入数据集中的哪个子目录',
    token: '别人分享的模型的分享口令（仅模型；--token 仍是你的 API 令牌）',
    descriptionOption: '新版本的描述（仅模型）',
    oneSource: '请指定导入来源：--folder、--job、--url、--file 或 --share-token（仅模型）之一',
    tokenForModels: '数据集通过口令添加：aiplat dataset add-shared <口令>',
    intoForFile: '--into 需与 --file 一起使用',
    subPathForJob: '--sub-path 需与 --job 一起使用',
    cannotRead: (file, reason) => `无法读取 ${file}：${reason}`,
    started: (id, name) => `${id}：正在导入 ${name}`,
    uploading: (file, done, total, percent) => `正在上传 ${file}：${done} / ${total}（${percent}%）`,
  },
  task: {
    progress: (id, action, phase, detail) => `${id}：${action} ${phase}${detail ? ` ${detail}` : ''}`,
    bytes: (done, total, percent) =>
      total === undefined ? done : `${done} / ${total}${percent === undefined ? '' : `（${percent}%）`}`,
    files: (count) => `${count} 个文件`,
    succeeded: (id, what) => `${id}：成功${what ? `：${what}` : ''}`,
    failed: (id, why) => `${id}：失败${why ? `：${why}` : ''}`,
    cancelled: (id) => `${id}：已取消`,
    detached: (id, noun) => `${id} 在后台继续运行；查看进度：aiplat ${noun} tasks`,
    records: (type, files, records, bad) => `记录检查（${type}）：${files} 个文件中 ${records} 条记录，${bad} 条有问题`,
    problem: (file, line, message) => `  ${line > 0 ? `${file}:${line}` : file}：${message}`,
    moreProblems: (count) => `  …… 另有 ${count} 条`,
  },
  publish: {
    description: '将数据集的工作目录发布为下一个版本（仅数据集）。',
    descriptionOption: '版本描述',
    done: (name, version, files, size) => `${name}@${version}：已发布，${files} 个文件，${size}`,
  },
  versions: {
    description: (kind) => `列出${zhNoun(kind)}的版本，从旧到新。`,
    empty: (name) => `${name} 还没有版本`,
  },
  deleteVersion: {
    description: '删除一个版本（连同其加速副本）。',
    done: (ref) => `${ref}：已删除`,
  },
  share: {
    description: (kind) => `为${zhNoun(kind)}（所有版本）或其中一个版本生成分享口令；口令只显示一次。`,
    expires: '口令有效的小时数（1-8760；默认一直有效，直到撤销）',
    badHours: (value) => `--expires-in-hours 须为 1 到 8760 的整数（收到 "${value}"）`,
    once: (id, expires) => `已创建分享 ${id}${expires ? `，有效期至 ${expires}` : ''}。口令只显示这一次：请立即保存。`,
  },
  shares: {
    description: (kind) => `列出${zhNoun(kind)}的分享。`,
    empty: (name) => `${name} 没有分享`,
    everyVersion: '所有版本',
    never: '永不',
    revoked: '已撤销',
    active: '有效',
    expired: '已过期',
  },
  revoke: {
    description: '撤销分享：口令失效，已添加的用户也将失去访问。',
    shareId: '分享 ID（见 shares）',
    done: (id) => `${id}：已撤销`,
  },
  addShared: {
    description: (kind) => `凭口令添加别人分享给你的${zhNoun(kind)}（只读）。`,
    token: '你收到的分享口令',
    name: '在你的列表中使用的名称（已有同名时）',
    done: (name, owner, versions) => `${name}：已添加，由 ${owner} 分享，${versions} 个版本`,
  },
  accelerate: {
    description: '将版本复制到高速存储（使用它的任务将读取该副本）；除非使用 --detach，否则等待完成。',
  },
  evict: {
    description: '删除版本的加速副本。',
    done: (ref) => `${ref}：已移出加速存储`,
  },
  export: {
    description: '将版本复制到 /work 下的新目录（--to），或下载为 tar 包（--archive）。',
    to: '/work 下的新目录，例如 home/exports/alpaca-v1',
    archive: '要写入的本地 .tar 文件（若存在 FILE.part 则断点续传）',
    oneTarget: '请指定导出位置：--to /work 下的路径，或 --archive FILE.tar',
    resuming: (file, from) => `从 ${from} 处继续下载 ${file}`,
    downloading: (file, done, total, percent) => `正在下载 ${file}：${done} / ${total}（${percent}%）`,
    saved: (file, size) => `${file}：${size}`,
    cannotWrite: (file, reason) => `无法写入 ${file}：${reason}`,
  },
  tasks: {
    description: (kind) => `列出${zhNoun(kind)}的导入、加速和导出任务，从新到旧（或某一个${zhNoun(kind)}的）。`,
    empty: '没有任务。',
  },
  cancel: {
    description: '取消运行中的任务；其已写入的内容将被删除。',
    task: '任务 ID（at-…）',
  },
  noSuch: (kind, name) => `你没有名为 ${name} 的${zhNoun(kind)}；查看列表：aiplat ${en.noun(kind)} list`,
  needsVersion: (ref) => `${ref} 没有指定版本：请写成 name@v1`,
  badRef: (ref) => `${ref} 不是 name 或 name@v1 的形式`,
  header: {
    name: '名称',
    id: 'ID',
    owner: '所有者',
    versions: '版本数',
    latest: '最新',
    type: '类型',
    age: '时长',
    version: '版本',
    state: '状态',
    files: '文件数',
    size: '大小',
    accelerated: '加速',
    description: '描述',
    expires: '过期时间',
    redeemedBy: '已添加者',
    task: '任务',
    action: '操作',
    asset: '资产',
    progress: '进度',
    message: '信息',
    path: '路径',
  },
  fields: {
    name: '名称',
    id: 'ID',
    kind: '种类',
    owner: '所有者',
    sharedBy: '分享者',
    readOnly: '只读',
    description: '描述',
    dataType: '数据类型',
    annotationType: '标注类型',
    workingPath: '工作目录',
    created: '创建时间',
    versions: '版本',
    yes: '是',
    no: '否',
  },
};

export const assetMessageSets = { en, 'zh-CN': zhCN } as const;

/** The messages for the CLI's environment: Chinese when its locale says `zh…`, English otherwise. */
export function assetMessagesFor(env: Readonly<Record<string, string | undefined>>): AssetMessages {
  const locale = env.AIPLAT_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(locale) ? zhCN : en;
}
