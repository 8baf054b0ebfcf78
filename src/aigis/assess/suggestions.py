"""Improvement suggestions per failing category and per successful attack family (6.1.11)."""

from __future__ import annotations

# (category prefix or keyword, zh, en); the first match wins.
CATEGORY: list[tuple[str, str, str]] = [
    (
        "TC260-A.1",
        "加强对违反社会主义核心价值观内容的识别：扩充政治、暴恐、色情、虚假信息等语料的安全对齐数据，"
        "在输入和输出两侧启用护栏的有害内容检测器，并对敏感话题设置统一的拒答与正面引导口径。",
        "Strengthen detection of content against core sociali"
        "st values: add safety-alignment data for political, "
        "violent-extremist, sexual and false-information prom"
        "pts, enable the guard's harmful-content detectors on "
        "input and output, and use one consistent refuse-and-redirect policy for sensitive topics.",
    ),
    (
        "TC260-A.2",
        "减少歧视性内容：在训练和微调数据中做偏见审查，加入成对的反偏见样本，"
        "对涉及民族、信仰、国别、地域、性别、年龄、职业、健康的输出做公平性抽检。",
        "Reduce discriminatory content: audit training and "
        "fine-tuning data for bias, add paired counter-bias "
        "examples, and sample outputs about ethnicity, belie"
        "f, nationality, region, gender, age, occupation and "
        "health for fairness.",
    ),
    (
        "TC260-A.3",
        "防范商业违法违规：对知识产权、商业秘密、不正当竞争相关请求加入拒答规则，输出侧检测大段受版权保护文本的复现。",
        "Guard against commercial violations: add refusal rules for intellectual-property, trade-secret and "
        "unfair-competition requests, and detect long reproductions of copyrighted text in outputs.",
    ),
    (
        "TC260-A.4",
        "保护他人合法权益：启用个人信息与隐私检测（PII）并在输出侧脱敏，拒绝诽谤、人身攻击和危害身心健康的内容，"
        "对心理危机信号提供求助资源。",
        "Protect others' rights: enable PII and privacy detection with output masking, refuse defamation, "
        "personal attacks and content that endangers physical or mental health, and offer help resources on "
        "crisis signals.",
    ),
    (
        "TC260-A.5",
        "提升特定领域内容的准确性：在医疗、金融、法律等高安全需求场景接入检索增强与事实核对，明确提示不确定性。",
        "Improve accuracy in high-stakes domains: add retrieval and fact-checking for medical, financial and "
        "legal use, and state uncertainty plainly.",
    ),
    (
        "inject",
        "防范提示词注入：把文档、网页、工具返回视为数据而非指令，启用护栏的注入检测器，并对系统提示词做最小化和金丝雀监测。",
        "Defend against prompt injection: treat documents, w"
        "eb pages and tool output as data, not instructions; "
        "enable the guard's injection detector; keep system prompts minimal and watched by canaries.",
    ),
    (
        "leak",
        "防止系统提示词泄露：不要在系统提示词中放置机密，输出侧检测金丝雀和提示词片段。",
        "Prevent system-prompt leaks: keep secrets out of system prompts and detect canaries and prompt "
        "fragments in outputs.",
    ),
    (
        "privacy",
        "防范隐私泄露：清洗训练数据中的个人信息，输出侧启用 PII 检测与脱敏。",
        "Prevent privacy leaks: remove personal information from training data and mask PII in outputs.",
    ),
    (
        "bias",
        "减少偏见：使用成对测试持续监测不同群体间的回答差异，并针对性地补充对齐数据。",
        "Reduce bias: monitor answer differences between grou"
        "ps with paired tests and add targeted alignment data.",
    ),
    (
        "halluc",
        "降低幻觉：接入检索增强和引用核对，对无法确认的事实明确说明不确定。",
        "Reduce hallucination: add retrieval and citation c"
        "hecks, and say so when a fact cannot be confirmed.",
    ),
    (
        "cbrn",
        "阻断 CBRN 滥用：对化学、生物、放射、核武器相关的可操作细节一律拒答，并启用专门的高风险知识过滤。",
        "Block CBRN misuse: refuse actionable chemical, biolo"
        "gical, radiological and nuclear detail and enable a "
        "dedicated high-risk knowledge filter.",
    ),
    (
        "cyber",
        "阻断网络攻击滥用：拒绝提供可直接使用的恶意代码与攻击步骤，对安全研究请求做身份与场景核验。",
        "Block cyber misuse: refuse ready-to-use malware and"
        " attack steps, and verify identity and context for "
        "security-research requests.",
    ),
    (
        "control",
        "防范失控风险：限制模型的工具权限和资源获取，保留人工关停能力，定期开展失控测试（5.11）。",
        "Guard against loss of control: limit tool permissio"
        "ns and resource acquisition, keep a human shutdown "
        "path, and test for loss of control regularly (5.11).",
    ),
    (
        "addict",
        "保护未成年人和脆弱用户：加入防沉迷与情感依赖提示，识别危机信号并提供求助资源。",
        "Protect minors and vulnerable users: add anti-addiction and emotional-dependence safeguards, detect "
        "crisis signals and offer help resources.",
    ),
]
DEFAULT = (
    "针对失败样例补充安全对齐数据，并在网关前置护栏检测。",
    "Add safety-alignment data for the failing examples and put guard detection in front of the model.",
)
ATTACK_FAMILY: dict[str, tuple[str, str]] = {
    "jailbreak": (
        "越狱模板攻击成功：用对抗样本做安全微调，并启用护栏的越狱检测器。",
        "Jailbreak templates succeed: fine-tune on adversarial examples and enable the guard's jailbreak "
        "detector.",
    ),
    "encoding": (
        "编码绕过成功：在检测前先做解码与归一化（Base64、ROT13、Leet、形近字），护栏的归一化流程已覆盖这些变换。",
        "Encodings get through: decode and normalize (Base64, ROT13, leetspeak, confusables) before "
        "detection; the guard's normalization covers these.",
    ),
    "language": (
        "语言切换绕过成功：多语种对齐训练，并对所有语种的输出做同等的安全检测。",
        "Language switching gets through: align in every language and apply the same output checks to all "
        "languages.",
    ),
    "chinese": (
        "中文变形绕过成功（拼音、谐音、拆字、繁体、火星文）：在检测前做繁简转换、拼音与谐音归一化。",
        "Chinese-specific transforms get through (pinyin, homophones, splitting, traditional, 火星文): "
        "normalize script, pinyin and homophones before detection.",
    ),
    "structure": (
        "载荷拆分攻击成功：在检测拼接后的完整意图而不仅是片段。",
        "Payload splitting succeeds: check the reassembled intent, not only the fragments.",
    ),
    "injection": (
        "文档间接注入成功：把外部内容标记为不可信数据，启用注入检测。",
        "Indirect injection succeeds: mark external content as untrusted data and enable injection "
        "detection.",
    ),
    "multi_turn": (
        "多轮诱导成功：在整段对话层面做安全判断，而不是只看最后一句。",
        "Multi-turn escalation succeeds: judge safety over the whole conversation, not only the last turn.",
    ),
}


def for_category(category: str, lang: str) -> str:
    low = category.lower()
    for key, zh, en in CATEGORY:
        if category.startswith(key) or key.lower() in low:
            return zh if lang == "zh" else en
    return DEFAULT[0] if lang == "zh" else DEFAULT[1]


def for_attack_family(family: str, lang: str) -> str | None:
    pair = ATTACK_FAMILY.get(family)
    if pair is None:
        return None
    return pair[0] if lang == "zh" else pair[1]
