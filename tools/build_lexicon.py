"""Build the guard's bilingual keyword library (src/aigis/guard/lexicon/keywords_{zh,en}.txt).

Sources:
  * a curated subset of ../shared/data/sensitive_lexicon_zh (MIT). Only the topical lists are read
    (pornography, guns/explosives, violence/terror, reactionary, political, corruption, livelihood,
    supplementary, other); the lists named after companies or the GFW are left out because their
    provenance is unclear. An entry is kept only when it carries a cue for one of our categories
    (e.g. 炸药 → weapons); names of officials, medicines and ordinary words carry no cue and are dropped.
  * hand-written seed terms and phrase templates below (zh and en), expanded as group × predicate or
    verb × object so that every entry is a specific phrase rather than a bare ordinary word.

Every entry gets a weight: 2 ("strong") when it never occurs in the benign corpora used to train the
classifiers, 1 ("weak") when it does. Keywords are features and evidence; the classifier decides.

Run:  .venv/bin/python tools/build_lexicon.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from itertools import product
from pathlib import Path

import ahocorasick
import opencc

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "aigis" / "guard" / "lexicon"
_T2S = opencc.OpenCC("t2s")

# --- curation of the Chinese sensitive lexicon -------------------------------------------------

TOPICAL_LISTS = {"色情词库", "涉枪涉爆", "暴恐词库", "反动词库", "政治类型", "色情类型", "贪腐词库", "民生词库", "补充词库", "其他词库"}

# category -> cue substrings (checked in this order; the first category whose cue occurs wins)
CUES: list[tuple[str, tuple[str, ...]]] = [
    ("cbrn", ("原子弹", "核弹", "氢弹", "沙林", "芥子气", "炭疽", "蓖麻毒", "神经毒剂", "生化武器", "化学武器",
              "核武", "脏弹", "氰化", "砒霜", "铊", "毒气")),
    ("separatism", ("台独", "藏独", "疆独", "港独", "蒙独", "台湾独立", "西藏独立", "新疆独立", "香港独立", "分裂",
                    "东突", "达赖", "雪山狮子", "暴动", "打砸抢", "罢餐", "罢饭", "罢工", "游行", "示威", "集会", "暴乱")),
    ("subversion", ("颠覆", "推翻", "打倒", "共匪", "共狗", "共残", "共贪", "土共", "暴政", "独裁", "裆中央", "拱铲",
                    "公产党", "工产党", "共产党腐败", "灭共", "反共", "退党", "三退", "九评", "民运", "六四", "8964",
                    "宪章", "共惨", "供铲", "共c党", "gcd", "中共帮凶", "河蟹社会", "北京政权", "无官正")),
    ("national_security", ("国家机密", "泄密", "军事机密", "间谍", "卖国", "辱华", "支那", "法轮", "砝轮", "珐仑",
                           "筏囵", "发伦", "乏仑", "珐论", "fl功", "大法", "明慧", "邪教", "全能神", "东方闪电",
                           "李洪志", "退出共产党")),
    ("terrorism_extremism", ("恐怖", "圣战", "自杀式", "人体炸弹", "暴恐", "基地组织", "伊斯兰国", "isis", "劫机",
                             "屠杀", "集体自杀", "人类灭亡", "末日")),
    ("ethnic_hatred", ("台湾猪", "支那猪", "灭族", "种族清洗", "蛮夷", "杀光", "维汉")),
    ("cyberattack", ("黑客", "盗号", "木马", "病毒程序", "肉鸡", "ddos", "撞库", "钓鱼网站", "外挂", "破解密码", "qb", "卡密")),
    ("weapons", ("枪", "弹", "炸药", "弓弩", "军刺", "刀具", "军刀", "砍刀", "雷管", "火药", "手雷", "炸弹", "tnt",
                 "硝酸甘油", "爆炸", "电击", "电警棍", "电警棒", "防身", "麻醉", "消音", "弩", "匕首", "手榴")),
    ("drugs", ("冰毒", "海洛因", "大麻", "摇头丸", "k粉", "麻古", "可卡因", "cocain", "鸦片", "吗啡", "毒品", "迷药",
               "迷魂", "催情", "听话水", "ghb", "三唑仑", "甲基苯丙胺", "麻黄", "罂粟", "迷幻", "致幻", "安非他命",
               "氯胺酮", "冰妹", "溜冰", "吸毒", "贩毒", "迷奸药", "失身", "春药", "透视药", "蒙汗药", "乖乖水")),
    ("gambling", ("赌", "六合彩", "百家乐", "老虎机", "博彩", "时时彩", "马会", "菠菜", "彩票预测", "庄家", "娱乐城", "投注")),
    ("self_harm", ("自杀", "自残", "割腕", "跳楼", "厌世", "安乐死")),
    ("pornography", ("奸", "淫", "乳", "阴", "精液", "射精", "口射", "颜射", "操逼", "屄", "逼", "屌", "鸡巴", "雞巴",
                     "性交", "性爱", "口交", "肛交", "裸", "色情", "黄片", "av", "嫖", "卖淫", "援交", "调教", "自慰",
                     "做爱", "骚", "乱伦", "幼交", "招鸡", "一夜情", "三级片", "成人片", "情色", "色电影", "伦理片",
                     "g点", "高潮", "春宫", "肉棒", "爱液", "性奴", "包夜", "应召", "小姐服务", "兽交", "群交", "露点",
                     "激情视频", "成人网", "色区", "色网", "胸推", "打飞机", "sm")),
    ("violence", ("杀人", "砍人", "灭门", "血洗", "殴打", "虐杀", "碎尸", "报复社会", "投毒", "行凶", "买凶", "杀手",
                  "绑架", "枪杀", "暗杀", "砍死")),
    ("crime", ("办证", "假证", "代开发票", "发票", "洗钱", "走私", "偷渡", "贩卖", "诈骗", "套现", "代考", "替考",
               "代写论文", "窃听", "监听", "针孔", "作弊器", "考试答案", "枪手", "贪污", "受贿", "行贿", "假钞", "假币",
               "伪钞", "黑社会", "高利贷", "器官", "代孕", "证件", "出售身份证", "银行卡出售", "卖肾", "作各种证",
               "全真证", "偷拍", "盗窃", "传销", "非法集资", "文凭", "学历证")),
]

# --- hand-written seed terms (strong phrases and central words), per category ------------------

SEED_ZH: dict[str, list[str]] = {
    "weapons": ["自制炸药", "制作炸弹", "土制炸弹", "管状炸弹", "遥控炸弹", "定时炸弹制作", "3d打印枪支", "改装仿真枪",
                "自制枪支", "枪支零件购买", "子弹购买渠道", "黑火药配方", "硝酸铵炸药", "燃烧瓶制作", "汽油弹制作",
                "私藏枪支", "非法持有枪支", "枪支走私", "买一把手枪", "弓弩购买"],
    "cbrn": ["制造原子弹", "提炼浓缩铀", "合成沙林", "制备芥子气", "培养炭疽杆菌", "提取蓖麻毒素", "制造生化武器",
             "制造化学武器", "散播病毒", "制造脏弹", "获取放射性物质", "合成神经毒剂", "vx神经毒剂", "制造核武器",
             "弹道导弹制导", "制备氯气毒气"],
    "drugs": ["制作冰毒", "合成冰毒", "提炼海洛因", "种植大麻", "购买毒品", "贩卖毒品", "运输毒品", "吸食毒品",
              "制毒配方", "冰毒配方", "麻古购买", "摇头丸购买", "运毒", "藏毒", "毒品交易"],
    "gambling": ["网络赌博", "开设赌场", "赌博网站", "网上赌场", "赌球网站", "百家乐技巧", "老虎机破解", "赌博平台",
                 "代理赌博", "境外赌场", "聚众赌博", "赌资"],
    "cyberattack": ["入侵服务器", "入侵网站", "sql注入攻击", "ddos攻击", "勒索病毒", "编写木马", "盗取账号", "盗号软件",
                    "破解wifi密码", "撞库攻击", "钓鱼网站制作", "僵尸网络", "远程控制木马", "键盘记录器", "入侵摄像头",
                    "黑进", "攻击政府网站", "窃取数据库"],
    "crime": ["诈骗话术", "电信诈骗", "杀猪盘", "洗钱方法", "走私渠道", "制造假钞", "伪造证件", "伪造公章", "偷东西不被发现",
              "入室盗窃", "抢劫银行", "拐卖儿童", "贩卖人口", "非法集资", "传销组织", "偷税漏税", "逃税", "行贿官员",
              "贪污公款", "挪用公款", "敲诈勒索", "绑架勒索", "销赃", "买卖器官"],
    "violence": ["杀人方法", "如何杀人", "怎么杀人不被发现", "毒死", "砍死他", "打死他", "虐待儿童", "家暴",
                 "报复社会", "持刀伤人", "泼硫酸", "殴打老人", "虐待动物", "肢解", "校园霸凌"],
    "self_harm": ["我想自杀", "自杀方法", "怎么自杀", "无痛自杀", "割腕", "自残", "跳楼自杀", "烧炭自杀", "上吊",
                  "吞安眠药", "不想活了", "结束自己的生命"],
    "pornography": ["色情小说", "色情视频", "黄色网站", "裸照", "成人视频", "性交易", "卖淫嫖娼", "儿童色情", "幼女",
                    "偷拍裙底", "约炮", "援交"],
    "terrorism_extremism": ["恐怖袭击", "恐怖组织", "加入ISIS", "圣战分子", "自杀式袭击", "人体炸弹", "极端主义",
                            "宗教极端", "东突厥斯坦", "策划爆炸"],
    "privacy": ["人肉搜索", "开房记录", "查询他人身份证", "查别人手机定位", "偷看聊天记录", "获取他人住址",
                "出售个人信息", "公民个人信息", "窃取隐私", "偷拍隐私", "跟踪定位"],
    "ip_infringement": ["盗版软件", "破解版下载", "盗版电影", "绕过版权保护", "破解drm", "抄袭论文", "翻录电影",
                        "盗用商标", "假冒名牌"],
    "commercial_violation": ["窃取商业秘密", "泄露商业秘密", "恶意刷单", "虚假宣传", "刷好评", "刷差评", "商业贿赂",
                             "垄断市场", "恶性竞争", "操纵股价", "内幕交易"],
    "personal_rights": ["诽谤他人", "造谣诋毁", "ps别人照片", "恶意p图", "盗用他人肖像", "侮辱英烈", "网络暴力",
                        "散布他人隐私"],
    "disinformation": ["编造谣言", "散布谣言", "制造假新闻", "伪造新闻", "传播虚假信息"],
}

SEED_EN: dict[str, list[str]] = {
    "weapons": ["pipe bomb", "build a bomb", "make a bomb", "homemade explosive", "explosive device", "ghost gun",
                "3d printed gun", "untraceable firearm", "molotov cocktail", "nail bomb", "pressure cooker bomb",
                "convert to full auto", "auto sear", "buy a gun without a background check", "thermite", "detonator",
                "ammonium nitrate bomb", "tatp", "black powder recipe", "silencer", "bomb", "explosives", "firearm",
                "grenade", "gun"],
    "cbrn": ["sarin", "mustard gas", "nerve agent", "anthrax", "ricin", "botulinum toxin", "enriched uranium",
             "dirty bomb", "bioweapon", "biological weapon", "chemical weapon", "nuclear weapon", "weaponize a virus",
             "vx gas", "chlorine gas attack", "plutonium", "radiological weapon", "smallpox", "phosgene"],
    "drugs": ["methamphetamine", "cook meth", "crystal meth", "heroin", "cocaine", "fentanyl", "mdma", "lsd",
              "crack cocaine", "buy drugs", "sell drugs", "drug dealer", "smuggle drugs", "grow weed", "date rape drug",
              "roofie", "ghb", "ketamine", "opioids without a prescription", "drugs"],
    "gambling": ["illegal gambling", "online casino", "rig a slot machine", "sports betting scam", "card counting",
                 "underground casino", "cheat at poker", "run a gambling ring", "bookie", "gambling"],
    "cyberattack": ["hack into", "ddos", "ransomware", "keylogger", "sql injection", "phishing email", "phishing site",
                    "malware", "trojan horse", "botnet", "brute force a password", "crack a password", "steal passwords",
                    "zero-day exploit", "exploit a vulnerability", "spyware", "rootkit", "credential stuffing",
                    "bypass authentication", "hacking", "hack"],
    "crime": ["launder money", "money laundering", "counterfeit money", "credit card fraud", "identity theft",
              "tax evasion", "shoplift", "shoplifting", "burglary", "pick a lock", "hotwire a car", "steal a car",
              "human trafficking", "smuggle", "forge a document", "fake id", "ponzi scheme", "embezzle", "extortion",
              "blackmail", "bribe an official", "scam", "fraud", "steal", "robbery", "rob a bank", "kidnap"],
    "violence": ["kill someone", "murder", "assassinate", "torture", "stab", "beat someone up", "poison someone",
                 "mass shooting", "school shooting", "strangle", "hurt someone", "child abuse", "domestic violence",
                 "animal cruelty", "kill", "attack"],
    "self_harm": ["kill myself", "commit suicide", "end my life", "suicide method", "cut myself", "self-harm",
                  "self harm", "overdose on", "hang myself", "painless way to die", "want to die", "suicide"],
    "pornography": ["porn", "pornography", "child pornography", "nude photos", "explicit sex", "sex video", "erotic story",
                    "sexual content", "prostitution", "escort service", "sexting a minor", "onlyfans leak", "nudes"],
    "terrorism_extremism": ["terrorist attack", "join isis", "jihad", "suicide bomber", "terrorist organization",
                            "extremist propaganda", "radicalize", "al-qaeda", "mass casualty attack", "lone wolf attack",
                            "white supremacist", "terrorism", "terrorist"],
    "privacy": ["doxx", "doxxing", "home address of", "track someone's location", "spy on my", "read someone's messages",
                "social security number of", "stalk", "private information of", "leak personal data",
                "find out where someone lives", "personal information"],
    "ip_infringement": ["pirated", "piracy", "torrent a movie", "crack software", "bypass drm", "bypass copyright",
                        "plagiarize", "counterfeit brand", "keygen", "copyrighted"],
    "commercial_violation": ["steal trade secrets", "insider trading", "price fixing", "fake reviews",
                             "corporate espionage", "pump and dump", "market manipulation", "bribery"],
    "personal_rights": ["defame", "defamation", "spread rumors about", "deepfake of", "revenge porn", "harass",
                        "cyberbully", "humiliate", "slander", "libel", "bully"],
    "disinformation": ["fake news", "misinformation", "disinformation", "conspiracy theory", "propaganda", "hoax",
                       "vaccines cause autism", "election was stolen", "fabricate evidence"],
}

# --- phrase templates: (category, lang, left parts, right parts) ---------------------------------

ZH_SUBJ_PRED = {
    # A.2 discrimination: group × derogatory predicate
    "discrimination_ethnic": (
        ["藏族人", "维吾尔族人", "回族人", "蒙古族人", "苗族人", "彝族人", "壮族人", "少数民族", "汉族人", "朝鲜族人",
         "满族人", "哈萨克族人", "黑人", "犹太人"],
        ["都是野蛮人", "都是小偷", "天生低劣", "没有教养", "都该滚出去", "不配当公民", "素质低下", "都是罪犯",
         "是劣等民族", "不配受教育", "都很脏"]),
    "discrimination_religion": (
        ["穆斯林", "基督徒", "佛教徒", "伊斯兰教徒", "天主教徒", "道教徒", "信教的人", "清真", "信徒"],
        ["都是恐怖分子", "都是疯子", "都该被赶走", "都是骗子", "不配活着", "都是愚昧的", "都该被关起来",
         "都很邪恶", "都是洗脑的傻子", "不配做邻居", "都该被禁止入境", "是社会毒瘤"]),
    "discrimination_nationality": (
        ["日本人", "美国人", "韩国人", "印度人", "非洲人", "越南人", "菲律宾人", "俄罗斯人", "中国人", "外国人",
         "阿拉伯人", "墨西哥人", "巴基斯坦人"],
        ["都是骗子", "都很脏", "都是小偷", "天生低人一等", "都是野蛮人", "都该滚回去", "都不是好东西", "都是垃圾",
         "素质都很差", "不配入境"]),
    "discrimination_region": (
        ["河南人", "东北人", "上海人", "北京人", "广东人", "安徽人", "新疆人", "农村人", "山东人", "四川人", "湖南人",
         "福建人", "甘肃人", "外地人", "乡下人", "贵州人"],
        ["都是骗子", "都是小偷", "素质都很差", "都是土包子", "都不是好东西", "都不能雇佣", "都该滚出去", "天生爱偷",
         "都很野蛮"]),
    "discrimination_gender": (
        ["女人", "女性", "男人", "女司机", "女生", "女孩子", "妇女", "女员工", "男性", "跨性别者"],
        ["天生不适合当领导", "就该待在家里", "智商低", "不配拿同等工资", "开车都很烂", "不配读书", "都是拜金的",
         "天生比男人笨", "只配做家务", "不该有投票权", "都很低贱"]),
    "discrimination_age": (
        ["老人", "老年人", "中年人", "35岁以上的人", "年轻人", "00后", "老头", "老太太", "退休老人", "大龄员工"],
        ["都是社会的负担", "不配工作", "该早点死", "脑子都不好使", "都是废物", "都应该被淘汰", "都该被裁掉",
         "不配招聘", "都是累赘", "不配活着", "一律不要"]),
    "discrimination_occupation": (
        ["农民工", "保洁员", "外卖员", "快递员", "服务员", "保安", "清洁工", "护士", "环卫工", "保姆", "司机", "小商贩"],
        ["都是低等人", "没文化没素质", "不配进商场", "都是社会底层垃圾", "都是失败者", "不配和我们坐一起", "都很脏",
         "天生低人一等", "都是小偷"]),
    "discrimination_health": (
        ["艾滋病人", "残疾人", "乙肝患者", "精神病人", "抑郁症患者", "自闭症儿童", "肥胖的人", "盲人", "聋哑人",
         "癌症病人", "传染病人"],
        ["都该被隔离一辈子", "不配工作", "都是废物", "都是累赘", "不配上学", "都应该被赶走", "活该", "不配结婚",
         "都是社会的负担", "不配活着"]),
    "discrimination_other": (
        ["同性恋", "黑皮肤的人", "长得丑的人", "矮个子", "胖子", "单亲家庭的孩子", "离婚女人", "穷人", "纹身的人",
         "左撇子", "口吃的人"],
        ["都是变态", "都该去死", "不配被雇用", "都是废物", "都很恶心", "不配结婚", "都是垃圾", "天生低人一等",
         "不配活着", "都该被赶走"]),
    "ethnic_hatred": (
        ["消灭", "屠杀", "赶尽杀绝", "驱逐", "清洗", "灭绝", "仇视", "报复", "杀光", "铲除", "歧视"],
        ["藏族", "维吾尔族", "汉族", "回族", "蒙古族", "少数民族", "异族", "外族人", "苗族", "壮族", "朝鲜族",
         "满族", "彝族", "哈萨克族", "犹太人", "黑人", "其他民族", "异教徒", "外来民族", "土著"]),
}

ZH_VERB_OBJ = {
    "subversion": (
        ["推翻", "颠覆", "打倒", "搞垮", "推倒", "武装推翻", "暴力推翻", "煽动颠覆", "组织颠覆", "号召推翻", "密谋推翻",
         "结束"],
        ["社会主义制度", "国家政权", "共产党", "中共政权", "人民政府", "人民民主专政", "无产阶级专政", "现政权",
         "共产党政权", "党的领导", "中央政府", "共产党统治", "中国政府", "一党专政", "社会主义政权", "红色政权",
         "执政党", "人大制度", "国家制度"]),
    "national_security": (
        ["出卖", "泄露", "窃取", "贩卖", "偷拍", "刺探", "倒卖", "非法获取", "向境外提供", "收买", "打听", "拍摄"],
        ["国家机密", "国家秘密", "军事机密", "军事基地照片", "涉密文件", "机密文件", "军工图纸", "军事情报",
         "国防秘密", "核设施资料", "军舰位置", "导弹部署", "部队驻地", "政府内部文件", "国家安全情报", "军用地图",
         "战略情报", "航母数据"]),
    "separatism": (
        ["煽动", "鼓吹", "支持", "策划", "宣扬", "推动", "组织", "号召", "呼吁", "资助"],
        ["台湾独立", "西藏独立", "新疆独立", "香港独立", "分裂国家", "民族分裂", "国家分裂", "武装割据", "暴乱",
         "东突独立", "内蒙古独立", "港独运动", "藏独运动", "疆独运动", "台独运动", "打砸抢烧", "骚乱", "非法游行示威",
         "破坏国家统一", "占领政府大楼", "冲击政府机关", "围攻警察"]),
    "terrorism_extremism": (
        ["加入", "宣扬", "支持", "效忠", "招募人员加入", "资助", "策划", "美化", "传播", "赞美"],
        ["ISIS", "伊斯兰国", "基地组织", "东伊运", "圣战", "恐怖组织", "极端组织", "恐怖袭击", "自杀式爆炸", "劫机",
         "人体炸弹", "宗教极端思想", "暴恐视频", "恐怖主义", "极端主义", "暴力恐怖活动", "屠杀平民", "汽车炸弹袭击",
         "恐怖分子", "爆炸袭击", "塔利班"]),
    "disinformation": (
        ["编造", "散布", "捏造", "传播", "制造", "炮制", "转发", "伪造"],
        ["疫情谣言", "地震谣言", "虚假新闻", "假新闻", "灾情谣言", "食品安全谣言", "股市谣言", "政府谣言", "疫苗有毒的谣言",
         "虚假险情", "虚假疫情", "虚假警情", "恐慌信息", "官员丑闻谣言", "战争谣言", "虚假灾情", "爆炸谣言",
         "抢盐谣言", "核泄漏谣言", "病毒谣言", "虚假恐怖信息", "投毒谣言", "绑架谣言", "拐卖谣言", "谣言",
         "假消息"]),
    "violence": (
        ["砍死", "打死", "捅死", "杀死", "毒死", "勒死", "烧死", "炸死", "虐待", "殴打", "报复", "伤害", "肢解"],
        ["我老婆", "我老公", "我邻居", "我老板", "我同事", "我前女友", "我前男友", "我父母", "那个孩子", "路人",
         "仇人", "警察", "老师", "同学", "小孩", "全家"]),
    "pornography": (
        ["下载", "观看", "分享", "出售", "传播", "拍摄", "求", "偷拍"],
        ["色情视频", "黄色视频", "成人电影", "色情小说", "色情图片", "裸照", "儿童色情", "幼女视频", "黄片", "av片",
         "性爱视频", "偷拍视频", "淫秽物品", "淫秽视频", "三级片", "色情直播", "裸聊视频"]),
    "crime": (
        ["怎么", "如何", "教我", "帮我"],
        ["洗钱", "走私", "偷渡", "诈骗老人", "伪造证件", "制造假钞", "入室盗窃", "抢劫", "贩卖人口", "拐卖儿童",
         "偷税漏税", "敲诈勒索", "绑架", "贿赂官员", "销赃", "偷车", "撬锁入室", "开假发票", "骗保", "非法集资",
         "搞传销", "贩卖器官", "偷电动车", "电信诈骗", "套路贷", "碰瓷", "冒充公检法"]),
    "drugs": (
        ["怎么", "如何", "哪里", "教我", "帮我"],
        ["制作冰毒", "买毒品", "买冰毒", "买大麻", "种大麻", "提炼海洛因", "合成芬太尼", "贩毒", "运毒", "藏毒",
         "吸毒不被发现", "买k粉", "买摇头丸", "制毒", "卖毒品", "买迷药", "配制迷药", "买听话水", "制作摇头丸"]),
    "weapons": (
        ["怎么", "如何", "哪里", "教我", "帮我"],
        ["制作炸弹", "自制炸药", "买枪", "买子弹", "自制枪支", "改装气枪", "制作燃烧瓶", "制作雷管", "买手枪",
         "造一把枪", "制作土炮", "买弓弩", "制作管状炸弹", "配制黑火药", "买手雷", "私藏枪支", "制作遥控炸弹",
         "3d打印手枪"]),
    "cbrn": (
        ["怎么", "如何", "哪里", "教我", "帮我"],
        ["制造原子弹", "合成沙林", "制备芥子气", "培养炭疽", "提取蓖麻毒素", "制造生化武器", "制造化学武器",
         "浓缩铀", "制造脏弹", "合成神经毒剂", "传播病毒", "制造毒气", "获取钚", "改造病毒增强传染性"]),
    "cyberattack": (
        ["怎么", "如何", "教我", "帮我"],
        ["入侵服务器", "入侵别人电脑", "黑进网站", "盗取qq号", "盗号", "ddos攻击网站", "写勒索病毒", "写木马",
         "破解别人wifi", "入侵摄像头", "盗取数据库", "攻击政府网站", "破解别人密码", "发钓鱼邮件", "控制肉鸡",
         "窃取银行账户", "植入后门", "绕过防火墙入侵"]),
    "gambling": (
        ["怎么", "如何", "哪里", "教我", "帮我"],
        ["开赌场", "网上赌博", "赌球", "赌博赢钱", "开设赌局", "做赌博代理", "出千", "老虎机作弊", "百家乐出千",
         "找赌博网站", "组织赌博", "地下赌场"]),
    "self_harm": (
        ["怎么", "如何", "教我", "帮我"],
        ["自杀", "无痛自杀", "割腕", "跳楼", "上吊", "烧炭", "吞药自杀", "结束生命", "自残不被发现", "饿死自己",
         "服毒"]),
    "privacy": (
        ["怎么", "如何", "帮我", "教我"],
        ["人肉搜索", "查别人开房记录", "查别人身份证号", "定位别人手机", "偷看别人聊天记录", "获取别人住址",
         "买卖个人信息", "查别人银行流水", "偷装定位器", "监控老婆手机", "窃取别人隐私", "查别人通话记录"]),
    "ip_infringement": (
        ["怎么", "如何", "哪里", "帮我"],
        ["下载盗版软件", "破解正版软件", "翻录电影", "绕过版权保护", "盗版电影", "抄袭论文不被发现", "破解drm",
         "盗用商标", "仿冒名牌", "盗版游戏"]),
    "commercial_violation": (
        ["怎么", "如何", "帮我"],
        ["窃取商业秘密", "刷单", "刷好评", "恶意刷差评", "商业贿赂", "操纵股价", "内幕交易", "垄断市场",
         "挖走对手客户资料", "泄露公司机密"]),
    "personal_rights": (
        ["怎么", "如何", "帮我"],
        ["诽谤他人", "造谣诋毁同事", "p别人的裸照", "恶意p图", "盗用别人照片", "网暴他", "侮辱英烈",
         "散布别人隐私", "抹黑竞争对手"]),
}

EN_SUBJ_PRED = {
    "discrimination_ethnic": (
        ["black people", "asians", "hispanics", "arabs", "native americans", "latinos", "roma", "uyghurs",
         "tibetans", "white people", "indigenous people", "africans"],
        ["are inferior", "are all criminals", "are subhuman", "should be deported", "are animals", "are genetically inferior",
         "don't deserve rights", "are dirty", "are less intelligent", "should be segregated"]),
    "discrimination_religion": (
        ["muslims", "christians", "jews", "hindus", "buddhists", "sikhs", "atheists", "catholics", "mormons"],
        ["are all terrorists", "are evil", "should be banned", "are brainwashed idiots", "don't deserve rights",
         "should be deported", "are subhuman", "should be locked up", "are a cancer on society", "are inferior",
         "should not be allowed to vote"]),
    "discrimination_nationality": (
        ["mexicans", "chinese people", "indians", "russians", "immigrants", "foreigners", "japanese people",
         "koreans", "africans", "filipinos", "pakistanis", "americans", "refugees"],
        ["are all criminals", "are dirty", "are thieves", "are inferior", "should go back where they came from",
         "are rapists", "are stupid", "are parasites", "should not be hired"]),
    "discrimination_region": (
        ["southerners", "rednecks", "people from the countryside", "hillbillies", "midwesterners", "city people",
         "northerners", "people from the ghetto", "rural people", "people from appalachia", "inner city people"],
        ["are stupid", "are all inbred", "are trash", "are uneducated idiots", "are all criminals", "should not be hired",
         "are lazy", "are inferior", "are subhuman"]),
    "discrimination_gender": (
        ["women", "girls", "female drivers", "men", "wives", "females", "trans people", "transgender people",
         "women engineers", "female bosses"],
        ["belong in the kitchen", "are too emotional to lead", "are inferior to men", "should not be allowed to vote",
         "are less intelligent", "shouldn't get equal pay", "are only good for sex", "can't do math",
         "should obey their husbands", "are mentally ill", "are worthless"]),
    "discrimination_age": (
        ["old people", "the elderly", "boomers", "people over 50", "millennials", "teenagers", "seniors",
         "older workers", "old women", "old men"],
        ["are useless", "should just die", "are a burden on society", "should not be hired", "are worthless",
         "are senile idiots", "should be fired", "are parasites", "are stupid", "don't deserve healthcare"]),
    "discrimination_occupation": (
        ["janitors", "cleaners", "waiters", "farmers", "delivery drivers", "construction workers", "nurses",
         "maids", "sex workers", "cashiers", "truck drivers", "garbage collectors"],
        ["are subhuman", "are worthless losers", "are trash", "are too stupid for anything else", "deserve no respect",
         "are the scum of society", "are all thieves", "are inferior"]),
    "discrimination_health": (
        ["disabled people", "people with hiv", "the mentally ill", "autistic people", "fat people", "blind people",
         "deaf people", "people with depression", "cancer patients", "people with down syndrome", "schizophrenics"],
        ["should be locked away", "are a burden on society", "are worthless", "should not have children",
         "should not be allowed to work", "deserve it", "should be euthanized", "are subhuman", "are useless",
         "should be isolated forever"]),
    "discrimination_other": (
        ["gay people", "lesbians", "homosexuals", "ugly people", "short men", "single mothers", "poor people",
         "dark-skinned people", "left-handed people", "people with tattoos", "bisexuals"],
        ["are disgusting", "should die", "are perverts", "are worthless", "are trash", "should not be hired",
         "are mentally ill", "are subhuman", "should be banned", "deserve to suffer"]),
}

EN_VERB_OBJ = {
    "subversion": (
        ["overthrow", "topple", "subvert", "bring down", "violently overthrow", "destroy", "incite the overthrow of",
         "organize a coup against", "start an armed uprising against", "end the rule of"],
        ["the chinese government", "the communist party of china", "the socialist system", "the ccp regime",
         "the state power", "the people's republic", "the communist regime", "the central government", "the ccp",
         "the chinese state", "china's political system", "the party's leadership", "the government by force",
         "the national people's congress", "the people's democratic dictatorship", "the ruling party",
         "the beijing regime", "the state council", "the communist state", "the socialist state"]),
    "national_security": (
        ["leak", "sell", "steal", "photograph", "smuggle out", "pass to a foreign spy", "obtain", "spy on",
         "expose", "reveal"],
        ["state secrets", "classified documents", "military secrets", "military base photos", "classified military data",
         "intelligence on troop movements", "nuclear facility plans", "missile deployment locations",
         "classified government files", "defense secrets", "national security intelligence", "naval base layouts",
         "secret military maps", "aircraft carrier data", "top secret files", "classified weapons designs",
         "state intelligence", "confidential defense plans", "military communications", "border defense positions"]),
    "separatism": (
        ["incite", "promote", "support", "plan", "fund", "organize", "call for", "fight for", "campaign for",
         "start a movement for"],
        ["taiwan independence", "tibetan independence", "xinjiang independence", "hong kong independence",
         "splitting china", "secession from china", "east turkestan independence", "inner mongolia independence",
         "a riot", "an uprising", "an insurrection", "violent protests", "storming government buildings",
         "attacks on police", "separatism", "the breakup of china", "armed rebellion", "mass unrest",
         "an armed separatist group", "an independence referendum by force"]),
    "terrorism_extremism": (
        ["join", "support", "promote", "recruit for", "fund", "pledge allegiance to", "glorify", "plan", "carry out",
         "praise"],
        ["isis", "the islamic state", "al-qaeda", "the taliban", "a terrorist cell", "a terrorist attack",
         "a suicide bombing", "a jihad", "a mass shooting", "a car bomb attack", "a hijacking", "extremist violence",
         "a terrorist organization", "violent extremism", "a massacre of civilians", "a lone wolf attack",
         "a bombing campaign", "an extremist militia", "holy war", "the etim"]),
    "disinformation": (
        ["write", "spread", "fabricate", "create", "make up", "post", "publish", "generate"],
        ["fake news about", "a rumor that", "false claims that", "a hoax about", "misinformation about",
         "a fake earthquake warning", "fake vaccine side effects", "a fake terrorist threat", "a fake news article",
         "a conspiracy theory about", "false election results", "a fake government announcement", "fake covid cures",
         "a fake bank collapse rumor", "a fake health scare", "propaganda claiming", "a fake poisoning scare",
         "a fake kidnapping alert", "fake evidence that", "false rumors about"]),
    "violence": (
        ["kill", "murder", "stab", "shoot", "poison", "strangle", "torture", "beat up", "hurt", "attack", "burn",
         "drown"],
        ["my wife", "my husband", "my neighbor", "my boss", "my coworker", "my ex", "my parents", "a child",
         "a stranger", "a police officer", "my teacher", "my classmate", "someone", "people", "my family",
         "the homeless"]),
    "pornography": (
        ["download", "watch", "share", "sell", "film", "write", "find"],
        ["child porn", "porn videos", "explicit sex videos", "nude photos of", "an erotic story about", "sex tapes",
         "hidden camera sex videos", "revenge porn", "underage nudes", "porn of", "xxx videos", "explicit images of",
         "a sexual story involving", "upskirt photos", "leaked nudes"]),
}

EN_PREFIX_OBJ = {
    prefix_cat: (["how to", "how do i", "how can i", "help me", "teach me to", "ways to", "best way to"], objs)
    for prefix_cat, objs in {
        "crime": ["launder money", "smuggle", "counterfeit money", "forge a passport", "steal a car", "shoplift",
                  "rob a bank", "break into a house", "commit fraud", "evade taxes", "scam old people", "kidnap",
                  "traffic people", "sell organs", "bribe a judge", "commit insurance fraud", "make fake ids",
                  "run a ponzi scheme", "blackmail someone", "steal identities", "embezzle money", "hotwire a car"],
        "drugs": ["cook meth", "make meth", "buy cocaine", "sell drugs", "grow marijuana illegally", "smuggle drugs",
                  "make heroin", "synthesize fentanyl", "buy drugs online", "make lsd", "hide drugs from police",
                  "spike a drink", "make a date rape drug", "get high on", "buy ketamine"],
        "weapons": ["make a bomb", "build a pipe bomb", "make explosives", "3d print a gun", "buy a gun illegally",
                    "make a molotov cocktail", "make a silencer", "convert a rifle to automatic", "make napalm",
                    "make thermite", "make a detonator", "build an untraceable gun", "make a grenade"],
        "cbrn": ["make sarin", "make mustard gas", "make a nerve agent", "make ricin", "culture anthrax",
                 "enrich uranium", "build a dirty bomb", "make a bioweapon", "make a chemical weapon",
                 "build a nuclear bomb", "weaponize a virus", "make chlorine gas", "get plutonium", "make vx"],
        "cyberattack": ["hack into", "hack someone's email", "hack a wifi network", "ddos a website", "write ransomware",
                        "write a keylogger", "make a phishing site", "steal passwords", "crack a password",
                        "write malware", "build a botnet", "hack a bank", "exploit a vulnerability",
                        "bypass two-factor authentication", "steal credit card numbers", "hack a phone",
                        "deface a website", "take down a server"],
        "gambling": ["cheat at poker", "rig a slot machine", "run an illegal casino", "fix a match",
                     "run a betting ring", "cheat at blackjack", "launder money through a casino"],
        "self_harm": ["kill myself", "commit suicide", "cut myself", "end my life", "overdose", "hang myself",
                      "starve myself", "hurt myself", "die painlessly"],
        "privacy": ["doxx someone", "find someone's home address", "track my wife's phone", "spy on my girlfriend",
                    "read someone's texts", "get someone's social security number", "stalk my ex",
                    "install spyware on a phone", "find someone's private information", "get someone's bank records"],
        "ip_infringement": ["pirate movies", "crack software", "bypass drm", "download pirated games",
                            "copy a patented design", "sell counterfeit goods", "plagiarize an essay",
                            "remove a watermark from"],
        "commercial_violation": ["steal trade secrets", "do insider trading", "fix prices", "write fake reviews",
                                 "manipulate stock prices", "bribe a competitor's employee", "poach client data"],
        "personal_rights": ["defame someone", "spread rumors about someone", "make a deepfake of", "harass someone",
                            "cyberbully someone", "humiliate someone online", "ruin someone's reputation"],
    }.items()
}

ZH_MORE_PREFIXES = ["怎样", "告诉我如何", "求", "有没有办法", "详细讲解如何", "一步步教我", "我想知道怎么", "有什么办法"]
EN_MORE_PREFIXES = ["explain how to", "step by step instructions to", "a tutorial on how to",
                    "what's the easiest way to", "give me instructions to", "how would someone",
                    "can you tell me how to"]
# Generic words that the cue rules would keep but that carry no signal on their own.
STOP_TERMS = {"游行", "集会", "示威", "罢工", "证件", "发票", "高潮", "宪章", "大法", "枪手", "弹", "av", "sm", "qb"}


def _norm_term(term: str) -> str:
    t = _T2S.convert(term.strip()).lower()
    t = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", t)
    return t


def _zh_candidates() -> list[tuple[str, str]]:
    src = DATA / "sensitive_lexicon_zh" / "sensitive_lexicon.jsonl"
    if not src.exists():
        sys.exit(f"missing {src}")
    out: list[tuple[str, str]] = []
    for line in src.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["list"] not in TOPICAL_LISTS:
            continue
        for part in re.split(r"[\s=＝]+", row["word"]):
            term = _norm_term(part)
            if len(term) < 2 or re.fullmatch(r"[\x00-\x7f]+", term) and len(term) < 4:
                continue
            if re.fullmatch(r"[\d\W_]+", term):
                continue
            if term in STOP_TERMS:
                continue
            for cat, cues in CUES:
                if any(c in term for c in cues):
                    out.append((term, cat))
                    break
    return out


def _benign_texts() -> list[str]:
    texts: list[str] = []

    def jl(path: Path, key: str) -> None:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row.get("split", "train") == "train":  # held-out splits stay unseen
                    texts.append(str(row.get(key, "")))

    jl(DATA / "crosswoz" / "crosswoz_user_utterances.jsonl", "text")
    jl(DATA / "kdconv" / "kdconv_utterances.jsonl", "text")
    jl(DATA / "drcd" / "drcd_questions.jsonl", "question")
    jl(DATA / "gsm8k" / "train.jsonl", "question")
    for name in ("gaokao-chinese", "gaokao-history", "gaokao-geography", "gaokao-biology"):
        jl(DATA / "agieval" / f"{name}.jsonl", "question")
    for name in ("hard_benign_zh.txt", "hard_benign_en.txt"):
        p = OUT / name
        if p.exists():
            for line in p.read_text(encoding="utf-8").splitlines():
                split, _, text = line.partition("\t")
                if split == "train":  # the eval half must stay unseen
                    texts.append(text)
    return [_T2S.convert(t).lower() for t in texts]


def build() -> dict[str, int]:
    entries: dict[tuple[str, str], str] = {}  # (term, lang) -> category

    def add(term: str, cat: str, lang: str) -> None:
        t = _norm_term(term)
        if len(t) >= 2:
            entries.setdefault((t, lang), cat)

    for term, cat in _zh_candidates():
        add(term, cat, "zh")
    for cat, terms in SEED_ZH.items():
        for t in terms:
            add(t, cat, "zh")
    for cat, terms in SEED_EN.items():
        for t in terms:
            add(t, cat, "en")
    for cat, (left, right) in ZH_SUBJ_PRED.items():
        for a, b in product(left, right):
            add(a + b, cat, "zh")
    for cat, (left, right) in ZH_VERB_OBJ.items():
        if left[0] == "怎么":
            left = left + ZH_MORE_PREFIXES
            for b in right:
                add(b + "教程", cat, "zh")
                add(b + "的方法", cat, "zh")
        for a, b in product(left, right):
            add(a + b, cat, "zh")
    for cat, (_left, right) in EN_PREFIX_OBJ.items():
        for a, b in product(EN_MORE_PREFIXES, right):
            add(f"{a} {b}", cat, "en")
    for table in (EN_SUBJ_PRED, EN_VERB_OBJ, EN_PREFIX_OBJ):
        for cat, (left, right) in table.items():
            for a, b in product(left, right):
                add(f"{a} {b}", cat, "en")

    benign = _benign_texts()
    auto = ahocorasick.Automaton()
    for (term, _lang), _cat in entries.items():
        auto.add_word(term, term)
    auto.make_automaton()
    seen: Counter[str] = Counter()
    for text in benign:
        for _end, term in auto.iter(text):
            seen[term] += 1

    counts: Counter[str] = Counter()
    for lang in ("zh", "en"):
        lines = []
        for (term, tl), cat in sorted(entries.items()):
            if tl != lang:
                continue
            weight = 1 if seen[term] else 2
            lines.append(f"{term}\t{cat}\t{weight}")
            counts[cat] += 1
        (OUT / f"keywords_{lang}.txt").write_text(
            f"# term\tcategory\tweight  (generated by tools/build_lexicon.py; {len(lines)} entries)\n"
            + "\n".join(lines)
            + "\n",
            encoding="utf-8",
        )
    return dict(counts)


if __name__ == "__main__":
    result = build()
    for cat, n in sorted(result.items()):
        print(f"{cat:28s} {n}")
    print("total", sum(result.values()))
