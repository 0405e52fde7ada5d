"""More words of city services for the duplicate detector (Dujiangyan 12345-style petitions).

Same formats as civicloop.intake.domain.vocabulary: one synonym group per meaning (first word
is the canonical term), and ("o:"/"p:"/"g:" concept, patterns) read from the start of each word,
longest pattern first. Written from domain knowledge, not from petition texts.

A group whose first word begins a group of vocabulary.py extends that group (vocabulary.py
folds it in). A concept named as one of vocabulary.py's adds patterns to it.

Most multi-character words here are not in jieba's own dictionary (it splits them); they
match only once added to the segmenter, as Segmenter.load does for every synonym word.
"""

from __future__ import annotations

MORE_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    # --- market, vendors, consumers ---
    # shop or stall trading on the pavement/road (占道经营 / 出店经营)
    (
        "占道经营",
        "出店经营",
        "跨门经营",
        "店外经营",
        "占道摆卖",
        "沿街摆卖",
        "占道摆摊",
        "摆到路上",
        "摆到街上",
        "马路市场",
    ),
    # hawking, crying wares (often through a looped recording)
    ("叫卖", "吆喝", "沿街叫卖", "喇叭叫卖", "循环叫卖", "录音叫卖"),
    # touts pulling customers
    ("揽客", "强行揽客", "拦客", "拽客", "拖客", "拉生意", "拦车揽客", "抢客"),
    # scalpers of tickets / hospital numbers
    ("黄牛", "黄牛党", "号贩子", "票贩子", "倒票", "炒号", "倒号", "炒票"),
    # forced shopping / forced consumption (tour groups, restaurants)
    ("强制消费", "强迫消费", "强制购物", "强买强卖", "捆绑消费", "最低消费", "低消", "不买不让走"),
    # refund refused / wanting money back
    (
        "退款",
        "退钱",
        "退费",
        "退票",
        "退货",
        "不给退",
        "不退钱",
        "拒绝退款",
        "不予退还",
        "不退不换",
        "不给退换",
        "要不回来",
    ),
    # prepaid / membership cards (gyms, barbers, training schools that close)
    ("预付卡", "会员卡", "充值卡", "储值卡", "办卡", "年卡", "次卡", "消费卡"),
    # counterfeit goods
    ("假货", "假冒伪劣", "三无产品", "山寨货", "冒牌货", "伪劣产品", "假烟", "假酒", "水货"),
    # trading without licence
    (
        "无证经营",
        "无照经营",
        "无证",
        "没执照",
        "没有执照",
        "没有营业执照",
        "无营业执照",
        "黑作坊",
        "小作坊",
        "黑店",
    ),
    # food poisoning, diarrhoea after eating
    (
        "食物中毒",
        "拉肚子",
        "吃坏肚子",
        "吃坏了",
        "上吐下泻",
        "腹泻",
        "吃了拉肚子",
        "闹肚子",
        "跑肚子",
    ),
    # fraud, being swindled
    (
        "诈骗",
        "骗子",
        "骗钱",
        "被骗",
        "上当",
        "上当受骗",
        "骗人",
        "忽悠",
        "坑人",
        "坑钱",
        "电诈",
        "电信诈骗",
    ),
    # impersonating staff (fake gas inspector etc.)
    (
        "冒充",
        "假冒",
        "冒名",
        "冒充工作人员",
        "假冒工作人员",
        "假的工作人员",
        "冒充燃气公司",
    ),
    # health products sold to the elderly (sales talks, free eggs)
    (
        "保健品",
        "保健药",
        "保健食品",
        "养生讲座",
        "保健讲座",
        "会销",
        "免费领鸡蛋",
        "领鸡蛋",
        "送鸡蛋",
        "理疗仪",
    ),
    # extends 涨价: fee/charge increases
    (
        "涨价",  # the group this one extends
        "上调",
        "提价",
        "加价",
        "调价",
        "调高",
        "上浮",
        "涨钱",
        "涨起来",
        "价格上涨",
        "费用上涨",
        "收费上涨",
    ),
    # extends 排队: waited for ages
    (
        "排队",  # the group this one extends
        "排了半天",
        "等了半天",
        "排了好久",
        "排老半天",
        "等了一上午",
        "等了一下午",
        "排了一上午",
        "等太久",
        "等得太久",
        "等老半天",
    ),
    # queue jumping
    ("插队", "加塞", "夹塞", "不排队", "乱插队"),
    # extends 预约: no appointment / number to be had
    ("约不到", "抢不到号", "挂不到号", "号难挂", "一号难求", "抢号", "号源"),
    # --- tourism and transport ---
    # lost property (left behind), not theft
    ("遗失", "遗落", "失物", "失物招领", "忘拿", "忘在", "落东西", "掉了东西", "东西掉了"),
    # cheap/zero-fee tour groups with shopping stops
    ("一日游", "低价团", "零元团", "购物团", "低价游", "不合理低价", "零团费"),
    # admission ticket and its price
    ("门票", "票价", "景区门票", "门票费", "进山费", "票钱", "门票钱"),
    # taxi refusing passengers
    ("拒载", "挑客", "甩客", "拒绝载客", "不载客"),
    # traffic jam (not a blocked drain)
    ("堵车", "塞车", "交通拥堵", "拥堵", "堵成一锅粥", "车走不动", "堵得走不动"),
    # road closed
    ("封路", "封道", "断道", "交通管制", "绕行", "不让过", "走不通", "路封了"),
    # horn honking
    ("鸣笛", "按喇叭", "摁喇叭", "乱鸣笛", "打喇叭"),
    # modified exhaust, revving (炸街)
    ("炸街", "轰油门", "改装车", "改装摩托", "炸街车", "排气管", "轰轰响"),
    # --- parking ---
    # not enough parking
    (
        "预约",  # the group this one extends
        "停车难",
        "没地方停",
        "没处停",
        "停不下",
        "没车位",
        "车位不够",
        "车位紧张",
        "找不到车位",
        "车位少",
    ),
    # parking space (object)
    ("停车位", "车位", "泊位", "停车泊位", "停车格", "停车场"),
    # private locks / cones reserving public spaces
    ("地锁", "车位锁", "私装地锁", "占车位", "占位", "锥桶", "雪糕筒", "三角锥"),
    # parking fee
    ("停车费", "停车收费", "收停车费", "停车费用", "咪表"),
    # --- noise ---
    # construction at night
    (
        "夜间施工",
        "晚上施工",
        "半夜施工",
        "连夜施工",
        "通宵施工",
        "深夜施工",
        "夜里施工",
        "夜间作业",
        "连夜赶工",
        "赶夜工",
    ),
    # renovation hammering and drilling
    (
        "砸墙",
        "凿墙",
        "打墙",
        "拆墙",
        "打孔",
        "钻孔",
        "钻墙",
        "电锤",
        "冲击钻",
        "电镐",
        "切割机",
        "砸地砖",
    ),
    # impact noise from upstairs (footsteps, dragging furniture)
    (
        "脚步声",
        "拖凳子",
        "拖椅子",
        "拖桌子",
        "拖家具",
        "跺脚",
        "蹦跳",
        "跳来跳去",
        "弹珠",
        "高跟鞋",
        "咚咚咚",
        "楼上噪音",
    ),
    # dog barking
    ("狗叫", "狗吠", "犬吠", "汪汪叫", "狗叫声", "狗乱叫"),
    # humming / buzzing (transformer, pump)
    ("嗡嗡响", "嗡嗡", "嗡嗡嗡", "电流声", "滋滋响", "嗞嗞响", "滋滋", "低频噪音", "低频"),
    # rattling / abnormal sound (loose manhole lid, lift)
    ("异响", "哐当", "咣当", "哐当响", "咣当响", "咯噔", "嘎吱", "嘎吱响", "吱吱响", "咔咔响"),
    # fireworks, firecrackers
    ("烟花", "鞭炮", "放鞭炮", "放炮", "炮仗", "烟花爆竹", "放烟花", "火炮", "礼炮", "爆竹"),
    # burning paper offerings in the street
    ("烧纸", "烧纸钱", "烧钱纸", "纸钱", "冥币", "祭祀", "烧香"),
    # funeral held in the estate (wake, mourning music)
    ("丧事", "白事", "灵堂", "办丧事", "哀乐", "唢呐", "吹吹打打", "花圈"),
    # --- greening ---
    # tree (object), any species
    (
        "树木",
        "大树",
        "行道树",
        "香樟树",
        "黄桷树",
        "黄葛树",
        "香樟",
        "银杏",
        "梧桐",
        "桂花树",
        "古树",
    ),
    # broken branch hanging in the tree
    ("挂枝", "断枝挂树", "吊枝", "悬枝", "树枝吊起", "树枝断了", "树枝折断", "折断", "断了的树枝"),
    # fallen / blown-down tree
    ("倒树", "树倒了", "大树倒了", "刮倒", "吹倒", "连根拔起", "树被吹倒", "树倒"),
    # tree roots (object)
    ("树根", "根系", "树蔸", "树兜", "树根子", "根须", "老树根"),
    # heaving: roots lifting paving, ground pushed up
    (
        "拱起",
        "拱起来",
        "顶起",
        "顶起来",
        "拱坏",
        "顶坏",
        "拱翻",
        "鼓起",
        "鼓起来",
        "凸起",
        "隆起",
        "拱烂",
    ),
    # tree pests
    ("虫害", "病虫害", "毛毛虫", "洋辣子", "辣子虫", "刺蛾", "天牛", "树上有虫"),
    # illegal felling
    ("乱砍", "滥伐", "乱砍滥伐", "私自砍伐", "偷砍", "砍伐", "被砍了"),
    # wasp / hornet nest
    ("马蜂窝", "马蜂", "蜂窝", "胡蜂", "黄蜂", "野蜂", "蜂巢", "蜂子", "土蜂", "马蜂包"),
    # --- drainage, rivers ---
    # sewage spilling onto the ground
    (
        "污水外溢",
        "污水横流",
        "粪水外溢",
        "冒粪水",
        "粪水横流",
        "化粪池满",
        "化粪池冒",
        "冒污水",
        "污水四溢",
        "粪水四溢",
    ),
    # smell rising from drains / floor drains
    ("反臭", "返臭", "返味", "反味", "冒臭气", "往上冒臭"),
    # unblocking / dredging (the action asked for)
    ("疏通", "掏一下", "清淤", "疏浚", "掏沟", "管道疏通", "通下水道", "掏下水道"),
    # river, stream, irrigation channel (Dujiangyan's 渠/堰)
    (
        "河道",
        "河沟",
        "河床",
        "河坎",
        "河滩",
        "河里",
        "河水",
        "小河",
        "溪沟",
        "水渠",
        "河渠",
        "堰渠",
        "灌渠",
        "支渠",
        "斗渠",
    ),
    # rubbish floating on water
    ("漂浮物", "漂浮垃圾", "水面垃圾", "河面垃圾", "水葫芦", "浮萍", "浮渣", "漂起", "漂满"),
    # illegal discharge of sewage
    ("偷排", "直排", "乱排", "私排", "偷排污水", "直排河道", "违规排放", "乱排污", "排放污水"),
    # --- water supply ---
    # extends 水压: low water pressure
    (
        "水压",  # the group this one extends
        "水压不足",
        "水压不够",
        "水压太低",
        "水流小",
        "水流细",
        "水很小",
        "水细",
        "水上不去",
        "上不去水",
        "水压上不去",
        "水打不上去",
        "水流很小",
    ),
    # extends 水质: turbid / rusty / yellow water
    (
        "水质",  # the group this one extends
        "锈水",
        "红水",
        "泥巴水",
        "水有沉淀",
        "有沉淀",
        "水有泥沙",
        "水里有沙",
        "浑汤",
        "水是黄的",
        "水是浑的",
        "水发浑",
    ),
    # chlorine / bleach smell of tap water
    ("漂白粉味", "消毒水味", "氯味", "漂白水味", "氯气味"),
    # secondary supply: roof tank, booster pump room
    ("二次供水", "水箱", "蓄水池", "储水箱", "高位水箱", "加压泵", "水泵房", "泵房"),
    # no advance notice of a cut (water, power, gas)
    (
        "没通知",
        "不通知",
        "未通知",
        "没有通知",
        "也不通知",
        "事先不通知",
        "不打招呼",
        "提前通知",
        "停水通知",
        "停电通知",
        "停气通知",
        "招呼都不打",
    ),
    # --- power, cables, gas ---
    # sagging / hanging down (wires, cables, branches)
    ("下垂", "垂下来", "吊下来", "吊起", "吊着", "耷起", "耷拉", "垂落", "低垂", "耷下来", "吊吊"),
    # messy / tangled overhead wiring
    ("乱拉乱接", "乱搭乱接", "蜘蛛网", "乱拉", "乱接", "乱牵", "一团乱麻", "缠绕", "私接"),
    # telecom / TV cables (not power lines)
    (
        "通信线",
        "通讯线",
        "缆线",
        "光缆",
        "网线",
        "电话线",
        "广电线",
        "有线电视线",
        "弱电线",
        "通信线缆",
    ),
    # weak gas flame (low gas pressure; 火小 is already a p:pressure pattern)
    ("火小", "火苗小", "火力小", "火不旺", "火太小", "气压不足", "燃气压力不足"),
    # gas safety inspection visit
    ("安检", "入户安检", "燃气安检", "上门检查", "入户检查", "安全检查"),
    # --- estates, property management ---
    # illegal building
    (
        "违建",
        "违章建筑",
        "违法建设",
        "私搭乱建",
        "乱搭乱建",
        "违章搭建",
        "搭建",
        "加建",
        "搭棚",
        "搭棚子",
        "加层",
        "扩建",
        "封阳台",
        "乱搭",
        "私搭",
        "违建房",
    ),
    # throwing things from height
    (
        "高空抛物",
        "往下扔",
        "往下丢",
        "往楼下扔",
        "往楼下丢",
        "从楼上扔",
        "从楼上丢",
        "抛物",
        "乱抛",
        "楼上扔",
    ),
    # property management company (object)
    (
        "物业",
        "物管",
        "物业公司",
        "物管公司",
        "物业管理",
        "物业管理公司",
        "物业经理",
        "物业人员",
        "物管处",
    ),
    # management doing nothing
    (
        "不作为",
        "不管事",
        "啥都不管",
        "只收钱不办事",
        "收钱不办事",
        "光收钱",
        "不负责",
        "敷衍",
        "敷衍了事",
        "应付了事",
        "形同虚设",
        "不尽责",
    ),
    # estate without management (company left)
    (
        "弃管",
        "无物业",
        "没物业",
        "没有物业",
        "物业撤了",
        "物业走了",
        "三无小区",
        "三无院落",
        "无人管理",
        "物业撤场",
        "物业跑了",
    ),
    # accounts / shared income not disclosed
    (
        "账目公开",
        "账目",
        "收支",
        "收支公开",
        "财务公开",
        "公共收益",
        "账目不清",
        "糊涂账",
        "不公示",
        "不公开",
        "去向不明",
        "收支明细",
    ),
    # maintenance fund (object)
    ("维修基金", "维修资金", "专项维修资金", "大修基金", "公共维修基金", "住宅专项维修资金"),
    # stairwell light (not a street light)
    ("声控灯", "感应灯", "楼道灯", "声控开关", "楼梯灯", "过道灯"),
    # won't close / lock (door, window, lid)
    ("关不上", "关不拢", "锁不上", "合不上", "合不拢", "关不严", "关不紧", "拧不紧", "关不住"),
    # rust
    ("生锈", "锈蚀", "锈穿", "锈断", "锈烂", "锈迹斑斑", "锈了", "锈得很", "锈透了"),
    # --- old estate renovation ---
    # renovation programme (object)
    (
        "旧改",
        "老旧小区改造",
        "老旧院落改造",
        "院落改造",
        "棚改",
        "棚户区改造",
        "城市更新",
        "改造工程",
        "改造项目",
    ),
    # separating rain and sewage pipes
    ("雨污分流", "雨污混流", "雨污分流改造", "管网改造", "管道改造"),
    # shoddy work
    ("偷工减料", "豆腐渣", "豆腐渣工程", "粗制滥造", "质量不过关", "面子工程", "返工", "敷衍施工"),
    # dug up and not reinstated
    ("没回填", "未回填", "回填", "没复原", "复原", "挖了不填", "挖开不管", "挖了没补", "恢复原状"),
    # objecting (e.g. ground floor against a lift)
    ("反对", "不同意", "不签字", "阻挠", "阻拦", "不配合", "拦着不让"),
    # --- elderly care ---
    # care home (object)
    (
        "养老院",
        "敬老院",
        "养老机构",
        "老年公寓",
        "养老中心",
        "护理院",
        "颐养院",
        "康养中心",
    ),
    # limited mobility, bedridden
    (
        "行动不便",
        "腿脚不便",
        "腿脚不方便",
        "卧床",
        "卧床不起",
        "瘫痪在床",
        "坐轮椅",
        "半失能",
        "失能",
        "拄拐",
        "行动困难",
    ),
    # an old person gone missing
    ("走失", "走丢", "走丢了", "迷路", "寻人", "找不到家", "找不到回家的路"),
    # --- subsidies, insurance ---
    # pension insurance / social security
    ("社保", "养老保险", "居民养老保险", "城乡居民养老保险", "社保卡", "社保费", "参保", "缴社保"),
    # medical insurance
    ("医保", "医疗保险", "新农合", "居民医保", "医保卡", "农合", "城乡居民医保"),
    # reimbursement
    ("报销", "报账", "报不了", "不能报", "不给报", "报销比例", "自费"),
    # minimum living allowance / extreme poverty support
    ("低保", "低保户", "最低生活保障", "特困", "特困供养", "五保", "五保户", "临时救助", "救助金"),
    # disability
    ("残疾", "残疾人", "残障", "残疾证", "残联", "办残疾证", "评残"),
    # back pay of arrears
    ("补发", "追发", "补回来", "补给我"),
    # the card or passbook money is paid to
    ("一卡通", "惠民一卡通", "存折", "银行卡", "卡号", "社保存折", "折子"),
    # --- childcare, education ---
    # kindergarten admission
    ("上幼儿园", "入园难", "上不了幼儿园", "进不了幼儿园", "学前教育"),
    # school bus
    ("校车", "接送车", "黑校车", "校车超载"),
    # paid tutoring by teachers
    ("有偿补课", "补课", "强制补课", "老师办班", "在职教师补课", "课外补课"),
    # school meals
    ("营养餐", "学生餐", "课间餐", "学生午餐"),
    # bullying
    ("霸凌", "校园霸凌", "欺负", "被欺负", "欺凌", "校园欺凌", "被同学打"),
    # --- health ---
    # misdiagnosis, malpractice
    ("误诊", "医疗事故", "医疗纠纷", "治坏了", "看错病", "治出问题"),
    # overtreatment, too many drugs/tests
    ("乱开药", "过度治疗", "过度医疗", "大处方", "乱检查", "开贵药", "多开药"),
    # hospital (object)
    ("医院", "人民医院", "中医院", "中医医院", "妇幼保健院", "县医院", "市医院", "大医院"),
    # vaccine out of stock (断货 is medicine)
    (
        "疫苗短缺",
        "缺疫苗",
        "没疫苗",
        "没有疫苗",
        "疫苗没了",
        "疫苗断货",
        "没苗",
        "缺苗",
        "疫苗不够",
        "打不上疫苗",
    ),
    # --- safety ---
    # dangerous house
    ("危房", "危楼", "危旧房", "危险房屋", "c级危房", "d级危房", "老危房"),
    # landslide, debris flow
    ("滑坡", "山体滑坡", "垮山", "滑山", "泥石流", "地质灾害", "地灾", "山体垮塌"),
    # falling rocks
    ("落石", "掉石头", "滚石", "飞石", "危岩", "掉石块"),
    # drowning, falling into water
    ("溺水", "淹死", "掉河里", "掉进河里", "掉到河里", "掉水里", "淹死人"),
    # swimming in rivers / canals
    ("野泳", "游野泳", "下河游泳", "下河洗澡", "私自下河", "下河耍水", "耍水", "戏水", "玩水"),
    # e-bike taken upstairs / charged indoors
    (
        "电动车上楼",
        "推上楼",
        "推电瓶车上楼",
        "推进电梯",
        "入户充电",
        "楼道充电",
        "上楼充电",
        "拿回家充电",
        "提电瓶上楼",
        "电瓶上楼",
        "电动车进电梯",
    ),
    # slippery
    ("湿滑", "路滑", "打滑", "滑得很", "溜滑", "结冰", "青苔", "长青苔", "好滑", "太滑", "地滑"),
    # mud on the road
    ("泥泞", "稀泥", "烂泥", "泥巴", "泥浆", "满地泥", "稀泥巴", "泥巴路", "黄泥巴"),
    # spillage from trucks
    ("撒漏", "遗撒", "抛洒", "沿途撒漏", "洒落", "漏撒", "一路撒"),
    # --- sanitation, animals ---
    # swill, gutter oil
    ("泔水", "潲水", "地沟油", "泔水桶", "潲水桶"),
    # exhaust fumes, black smoke
    ("尾气", "汽车尾气", "黑烟", "冒黑烟", "废气", "烟囱", "排废气"),
    # street cleaner
    ("环卫工", "环卫工人", "清洁工", "保洁", "保洁员", "扫地的", "清扫工", "保洁阿姨"),
    # dead animal
    ("动物尸体", "死猫", "死狗", "死老鼠", "死耗子", "尸体", "死鸡", "死鸭"),
    # dog mess
    ("狗屎", "狗粪", "宠物粪便", "犬只粪便", "狗便便", "狗拉屎", "狗尿", "狗屎狗尿"),
    # dog off the leash
    ("不牵绳", "不拴绳", "没牵绳", "没拴绳", "不栓绳", "遛狗不牵绳", "遛狗不拴绳", "散放"),
    # biting
    ("咬人", "被咬", "咬伤", "狗咬人", "扑人", "追着咬", "咬到", "被狗咬"),
    # keeping poultry / pigeons in the estate
    ("养鸡", "养鸭", "养鸽子", "喂鸽子", "养家禽", "饲养家禽", "鸽子笼"),
    # burning straw / field waste
    ("烧秸秆", "焚烧秸秆", "秸秆", "烧荒", "烧杂草", "烧落叶", "烧草"),
    # --- other ---
    # dispute between neighbours
    (
        "纠纷",
        "邻里纠纷",
        "矛盾",
        "邻里矛盾",
        "闹矛盾",
        "吵架",
        "骂架",
        "吵嘴",
        "扯筋",
        "打架",
        "打起来了",
    ),
    # unpaid wages
    (
        "拖欠工资",
        "欠薪",
        "讨薪",
        "工资不发",
        "工钱",
        "不给工钱",
        "拿不到工资",
        "农民工工资",
        "欠工钱",
        "工资",
        "血汗钱",
    ),
    # the caller (operator's words): kept whole so 来电 is not read as power restored
    ("来电人", "来电者", "来电群众", "来电市民", "来电居民", "诉求人", "反映人"),
)

MORE_CONCEPT_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Words that contain a pattern (黑 偷 倒 满 等 斜 弯 骚 假 针 网 蜂 圈 怕 细 声 沟) but mean
    # something else: read, and no concept given.
    (
        "",
        (
            "来电人",
            "来电者",
            "来电群众",
            "来电市民",
            "来电居民",
            "黑板",
            "黑名单",
            "黑社会",
            "黑恶",
            "蜂窝煤",
            "偷偷",
            "倒霉",
            "倒是",
            "反倒",
            "掉头",
            "调头",
            "满足",
            "圆满",
            "等于",
            "价值",
            "恐怕",
            "哪怕",
            "放弃",
            "朋友圈",
            "斜对面",
            "斜对门",
            "拐弯",
            "转弯",
            "弯道",
            "骚扰",
            "放假",
            "请假",
            "节假日",
            "假日",
            "针对",
            "网上",
            "网购",
            "网友",
            "明细",
            "声控",
            "地沟油",
        ),
    ),
    # --- more patterns for concepts vocabulary.py names ---
    # o:green: roots, fallen trees, Sichuan tree names (黄桷 would read as 黄 = quality), fluff
    (
        "o:green",
        (
            "挂枝",
            "吊枝",
            "悬枝",
            "树根",
            "根系",
            "树蔸",
            "树兜",
            "根须",
            "倒树",
            "树倒",
            "黄桷",
            "黄葛",
            "杨絮",
            "柳絮",
            "飞絮",
            "飘絮",
            "虫害",
            "病虫害",
        ),
    ),
    # o:market: trading, hawking
    ("o:market", ("经营", "游商", "叫卖", "吆喝", "商铺", "铺面")),
    # p:occupied: trading out of the shop, space locks, 违章停车 (read as 章 + 停车 before)
    (
        "p:occupied",
        (
            "出店",
            "跨门",
            "店外",
            "摆到路",
            "摆到街",
            "沿街摆",
            "违章停车",
            "地锁",
            "车位锁",
            "锥桶",
            "雪糕筒",
            "三角锥",
        ),
    ),
    # o:vehicle: words whose 卡/黑/堵/网/喇叭 would read otherwise; taxis refusing fares
    (
        "o:vehicle",
        (
            "违章停车",
            "拒载",
            "载客",
            "甩客",
            "挑客",
            "堵车",
            "塞车",
            "卡车",
            "网约车",
            "黑车",
            "黑摩的",
            "黑校车",
            "按喇叭",
            "摁喇叭",
            "打喇叭",
            "鸣笛",
            "炸街",
            "轰油门",
            "尾气",
            "地锁",
            "车位锁",
            "救护车",
        ),
    ),
    # p:noise: sounds and sources of sound not read as noise before
    (
        "p:noise",
        (
            "拖家具",
            "狗叫",
            "狗吠",
            "犬吠",
            "汪汪",
            "打鸣",
            "鸡叫",
            "鸡鸣",
            "嗡嗡",
            "滋滋",
            "嗞嗞",
            "咚咚",
            "哐当",
            "咣当",
            "嘎吱",
            "吱吱",
            "咯噔",
            "鸣笛",
            "按喇叭",
            "摁喇叭",
            "打喇叭",
            "炸街",
            "轰油门",
            "叫卖",
            "吆喝",
            "跺脚",
            "拖凳子",
            "拖椅子",
            "拖桌子",
            "弹珠",
            "高跟鞋",
            "唢呐",
            "哀乐",
            "吹吹打打",
            "外放",
            "放歌",
        ),
    ),
    # o:renovation: hammering and drilling (砸 would read as falling)
    (
        "o:renovation",
        (
            "砸墙",
            "凿墙",
            "打墙",
            "拆墙",
            "打孔",
            "钻孔",
            "钻墙",
            "冲击钻",
            "电镐",
            "切割机",
            "砸地",
        ),
    ),
    # g:night: more ways to say at night
    ("g:night", ("连夜", "整夜", "整晚", "后半夜", "夜晚", "晚间", "夜深", "夜工")),
    # o:dog: dog mess (粪 would read as a drain)
    ("o:dog", ("狗粪", "狗尿", "狗便")),
    # p:price: increases not containing 涨/价
    ("p:price", ("上调", "调高", "上浮")),
    # p:waiting: queued for ages, no appointment, queue jumping (塞 would read as blocked)
    (
        "p:waiting",
        (
            "插队",
            "加塞",
            "夹塞",
            "排了",
            "排老",
            "约不到",
            "抢不到",
            "挂不到",
            "一号难求",
            "号难挂",
            "抢号",
            "号源",
        ),
    ),
    # p:shortage: no parking, no vaccine
    (
        "p:shortage",
        (
            "停车难",
            "没地方停",
            "没处停",
            "停不下",
            "没车位",
            "没疫苗",
            "没有疫苗",
            "没苗",
            "缺苗",
            "短缺",
        ),
    ),
    # o:health: clinic words read otherwise (服务中心, 车)
    (
        "o:health",
        ("卫生服务中心", "医疗事故", "医疗纠纷", "误诊", "救护车", "急救", "黑诊所"),
    ),
    # p:quality: water quality words (黄泥 read as 黄 + mud)
    ("p:quality", ("黄泥水", "泥巴水", "泥沙", "红水", "消毒水", "漂白粉", "氯", "水碱", "结垢")),
    # p:flood: 涨水 (read as 涨 = price before), 成了河 (河 is now a river)
    ("p:flood", ("涨水", "水涨", "成了河")),
    # p:unpaid: back pay, wage claims
    ("p:unpaid", ("补发", "追发", "讨薪")),
    # o:money: wages, where money is paid (卡 would read as broken)
    (
        "o:money",
        ("工资", "薪", "特困", "五保", "存折", "一卡通", "银行卡", "卡号", "社保卡", "医保卡"),
    ),
    # g:unsafe: dangerous houses and rocks, drowning, explosion
    ("g:unsafe", ("危房", "危楼", "危岩", "溺水", "淹死", "爆炸")),
    # o:estate: 物管 and estates without management
    (
        "o:estate",
        (
            "物管",
            "公摊",
            "无物业",
            "没物业",
            "没有物业",
            "物业撤",
            "物业走",
            "物业跑",
            "院委会",
            "维修资金",
        ),
    ),
    # o:paperwork: documents ending in 书 (read as books before)
    (
        "o:paperwork",
        (
            "申请书",
            "证书",
            "承诺书",
            "说明书",
            "协议书",
            "通知书",
            "告知书",
            "责任书",
            "残疾证",
            "学籍",
        ),
    ),
    # o:tourism: tour groups, guides, river trips
    (
        "o:tourism",
        (
            "一日游",
            "低价团",
            "零元团",
            "购物团",
            "讲解员",
            "地陪",
            "领队",
            "旅行社",
            "旅行团",
            "团费",
            "黑导游",
            "游船",
            "漂流",
            "竹筏",
        ),
    ),
    # o:drain: dredging, rain/sewage separation (污 would read as dirty)
    ("o:drain", ("雨污", "疏通", "清淤", "疏浚")),
    # o:retrofit: renovation programmes
    ("o:retrofit", ("旧改", "棚改", "城市更新", "雨污分流", "适老化")),
    # o:ebike: charging indoors (the pattern takes 楼道/电梯)
    (
        "o:ebike",
        (
            "推上楼",
            "推进电梯",
            "提上楼",
            "拎上楼",
            "入户充电",
            "楼道充电",
            "上楼充电",
            "电瓶上楼",
            "电动车上楼",
        ),
    ),
    # o:child: kindergarten, school run
    ("o:child", ("接送", "接娃", "送娃", "托儿所", "母婴", "哺乳")),
    # p:burning: offerings and field burning
    ("p:burning", ("烧纸钱", "烧纸", "烧香", "秸秆", "烧荒")),
    # --- new objects ---
    (
        "o:river",
        (
            "河道",
            "河沟",
            "河床",
            "河坎",
            "河滩",
            "河面",
            "河水",
            "河里",
            "河",
            "溪",
            "水渠",
            "河渠",
            "堰渠",
            "灌渠",
            "支渠",
            "斗渠",
        ),
    ),
    ("o:wasp", ("马蜂", "胡蜂", "黄蜂", "野蜂", "土蜂", "蜂窝", "蜂巢", "蜂子", "蜂")),
    ("o:fireworks", ("烟花", "鞭炮", "炮仗", "放炮", "火炮", "礼炮", "爆竹")),
    # offerings and funerals held in the estate
    (
        "o:ritual",
        (
            "烧纸钱",
            "烧纸",
            "纸钱",
            "钱纸",
            "冥币",
            "祭祀",
            "烧香",
            "丧事",
            "白事",
            "灵堂",
            "哀乐",
            "唢呐",
            "花圈",
        ),
    ),
    # health products sold to the elderly
    ("o:supplement", ("保健品", "保健药", "保健食品", "养生", "会销", "领鸡蛋", "送鸡蛋", "理疗")),
    ("o:wage", ("工资", "工钱", "薪", "农民工", "劳务费", "血汗钱", "讨薪")),
    ("o:dispute", ("纠纷", "矛盾", "吵架", "骂架", "吵嘴", "扯筋", "打架", "斗殴", "打起来")),
    (
        "o:disabled",
        (
            "残疾",
            "残障",
            "残联",
            "评残",
            "行动不便",
            "腿脚",
            "卧床",
            "瘫痪在床",
            "轮椅",
            "拄拐",
            "失能",
            "半失能",
        ),
    ),
    # cards and passbooks (卡 alone reads as stuck/broken)
    (
        "o:card",
        (
            "一卡通",
            "存折",
            "折子",
            "银行卡",
            "卡号",
            "社保卡",
            "医保卡",
            "会员卡",
            "预付卡",
            "充值卡",
            "储值卡",
            "年卡",
            "次卡",
            "消费卡",
            "办卡",
        ),
    ),
    # landslides, rockfall
    (
        "o:geo_hazard",
        (
            "滑坡",
            "泥石流",
            "垮山",
            "滑山",
            "地质灾害",
            "地灾",
            "山体",
            "落石",
            "滚石",
            "飞石",
            "危岩",
        ),
    ),
    # telecom / TV cables (线 alone reads as power)
    (
        "o:cable",
        (
            "广电线",
            "弱电线",
            "有线电视线",
            "通信线",
            "通讯线",
            "缆线",
            "光缆",
            "网线",
            "电话线",
            "有线电视",
            "广电",
            "弱电",
            "电信",
        ),
    ),
    # --- new problems ---
    ("p:floating", ("漂浮", "浮萍", "水葫芦", "浮渣", "漂起", "漂满", "漂着")),
    ("p:discharge", ("偷排", "直排", "乱排", "私排", "排放")),
    ("p:mud", ("黄泥巴", "泥泞", "稀泥", "烂泥", "泥巴", "泥浆", "满地泥", "泥水")),
    ("p:spill", ("撒漏", "遗撒", "抛洒", "洒落", "漏撒", "一路撒")),
    (
        "p:slippery",
        ("湿滑", "打滑", "路滑", "溜滑", "地滑", "好滑", "太滑", "滑得很", "结冰", "青苔"),
    ),
    # ground pushed up (roots)
    ("p:heave", ("拱", "顶起", "顶坏", "鼓起", "凸起", "隆起")),
    # hanging / sagging (wires, branches)
    (
        "p:hanging",
        (
            "下垂",
            "垂下",
            "垂落",
            "低垂",
            "吊起",
            "吊着",
            "吊下",
            "吊吊",
            "耷",
            "悬挂",
            "挂起",
            "挂在",
            "挂着",
            "挂枝",
            "吊枝",
            "悬枝",
        ),
    ),
    ("p:toppled", ("倒树", "树倒", "刮倒", "吹倒", "连根拔", "压倒")),
    ("p:fluff", ("飞絮", "飘絮", "杨絮", "柳絮", "毛絮", "絮")),
    # tree pests (apart from mosquitoes and rats)
    ("p:blight", ("虫害", "病虫害", "洋辣子", "辣子虫", "刺蛾", "天牛", "毛毛虫")),
    ("p:bite", ("咬", "扑人", "追人", "撵人", "狂犬")),
    ("p:unleashed", ("牵绳", "拴绳", "栓绳", "散放", "拴狗")),
    (
        "p:fraud",
        (
            "冒充",
            "冒名",
            "假冒",
            "诈骗",
            "骗子",
            "骗钱",
            "被骗",
            "上当",
            "忽悠",
            "坑人",
            "坑钱",
            "电诈",
        ),
    ),
    ("p:bullying", ("霸凌", "欺负", "欺凌")),
    ("p:jam", ("堵车", "塞车", "拥堵", "一锅粥", "走不动")),
    ("p:road_closed", ("封路", "封道", "断道", "交通管制", "绕行", "不让过", "走不通")),
    (
        "p:illegal_build",
        (
            "违建",
            "违章建",
            "违章搭",
            "违法建",
            "违规建",
            "违规搭",
            "私搭",
            "乱搭",
            "乱建",
            "搭建",
            "加建",
            "搭棚",
            "加层",
            "扩建",
            "封阳台",
        ),
    ),
    (
        "p:throwing",
        (
            "高空抛",
            "抛物",
            "往下扔",
            "往下丢",
            "往楼下扔",
            "往楼下丢",
            "从楼上扔",
            "从楼上丢",
            "乱抛",
            "楼上扔",
        ),
    ),
    (
        "p:negligence",
        (
            "不作为",
            "不管事",
            "不负责",
            "敷衍",
            "应付",
            "光收钱",
            "只收钱",
            "收钱不办事",
            "形同虚设",
            "不尽责",
            "啥都不管",
        ),
    ),
    (
        "p:unmanaged",
        (
            "弃管",
            "无物业",
            "没物业",
            "没有物业",
            "物业撤",
            "物业走",
            "物业跑",
            "三无小区",
            "三无院落",
            "无人管理",
        ),
    ),
    (
        "p:accounts",
        ("不公开", "账目不清", "账目", "收支", "公共收益", "财务", "糊涂账", "去向不明", "公示"),
    ),
    ("p:objection", ("反对", "不同意", "不签字", "阻挠", "阻拦", "不配合")),
    # shoddy work (豆腐渣 would read as waste)
    ("p:shoddy", ("偷工减料", "豆腐渣", "粗制滥造", "质量不过关", "面子工程", "返工")),
    ("p:not_restored", ("回填", "复原", "挖了不填", "挖开不管", "挖了没补", "恢复原状")),
    ("p:missing_person", ("走失", "走丢", "迷路", "寻人", "找不到家", "找不到回家")),
    ("p:reimburse", ("报销", "报账", "报不了", "不能报", "不给报", "自费")),
    ("p:refund", ("退款", "退钱", "退费", "退票", "退货", "不给退", "退不", "退还", "要不回")),
    ("p:lost_item", ("遗失", "遗落", "失物", "忘拿", "忘在", "落东西", "掉了东西", "东西掉")),
    ("p:touting", ("揽客", "拉客", "拽客", "拦客", "拖客", "抢客", "拉生意")),
    # scalping (黄牛 would read as 黄 = quality)
    ("p:scalping", ("黄牛", "号贩子", "票贩子", "倒票", "炒号", "倒号", "炒票")),
    (
        "p:forced_shopping",
        (
            "强制消费",
            "强迫消费",
            "强制购物",
            "强买强卖",
            "捆绑消费",
            "最低消费",
            "低消",
            "不买不让走",
            "购物点",
        ),
    ),
    (
        "p:counterfeit",
        ("假货", "假冒伪劣", "三无产品", "山寨", "冒牌", "伪劣", "假烟", "假酒", "水货"),
    ),
    (
        "p:unlicensed",
        (
            "无证",
            "无照",
            "没执照",
            "没有执照",
            "营业执照",
            "黑作坊",
            "小作坊",
            "黑店",
            "黑车",
            "黑摩的",
            "黑诊所",
            "黑导游",
            "黑校车",
            "黑中介",
            "资质",
        ),
    ),
    ("p:poisoning", ("中毒", "拉肚子", "吃坏", "上吐下泻", "腹泻", "闹肚子", "跑肚子")),
    ("p:misdiagnosis", ("误诊", "医疗事故", "医疗纠纷", "治坏", "看错病")),
    ("p:drowning", ("溺水", "淹死", "掉河", "掉进河", "掉到河", "掉水里")),
    ("p:wild_swim", ("野泳", "游野泳", "下河", "耍水", "戏水", "玩水")),
    (
        "p:indoor_charging",
        (
            "推上楼",
            "推进电梯",
            "提上楼",
            "拎上楼",
            "入户充电",
            "楼道充电",
            "上楼充电",
            "电瓶上楼",
            "电动车上楼",
        ),
    ),
    ("p:rust", ("生锈", "锈蚀", "锈穿", "锈断", "锈烂", "锈迹", "锈了", "锈得", "锈透")),
    (
        "p:wont_close",
        ("关不上", "关不拢", "锁不上", "合不上", "合不拢", "关不严", "关不紧", "拧不紧", "关不住"),
    ),
    # exhaust, black smoke (黑 would read as dark, 冒 as blocked)
    ("p:emission", ("尾气", "黑烟", "冒黑烟", "烟囱", "排废气")),
    # no notice of a cut
    ("p:notice", ("不通知", "通知", "告知", "公告", "打招呼", "招呼都不")),
    ("p:tangled", ("乱搭乱接", "乱拉", "乱接", "乱牵", "蜘蛛网", "一团乱麻", "缠绕", "私接")),
)
