"""Live-commerce vocabulary shared by every catalog: synonyms, slang, typos, regional wording, English.

Nothing here knows a catalog item. Each group folds the many ways viewers write one notion onto one
canonical word, and the matcher applies the same folding to the catalog's own text, so a comment
and an item meet on the canonical word whichever variant each of them used. The canonical word is
only a label: it need not appear in any catalog.

Words are written after normalization (Simplified, lower case, no punctuation).
"""
from __future__ import annotations

# canonical → variants. Longest variant wins where two overlap (寄回 before 寄).
SYNONYMS: dict[str, tuple[str, ...]] = {
    # question words, including Cantonese and Taiwan forms
    "什么时候": ("啥时候", "啥时", "几时", "何时", "什么时间", "啥时间", "哪天", "哪一天", "什么时侯",
                 "咩时候", "几时候", "什么日子", "几点", "几点钟", "啥点",
                 # "how long" and "when" ask the same of a delivery, a refund or a date
                 "多久", "多长时间", "多少天", "多长", "多少时间", "多久时间", "几耐", "几长时间", "几天", "几年",
                 "几个月", "几个小时", "几小时", "多少年", "几周"),
    "什么": ("乜嘢", "咩嘢", "乜", "边间", "边款", "边只", "啥", "咩", "乜", "哪个", "哪家", "哪款", "哪一个", "哪一家", "哪些", "哪种", "边个", "哪一款"),
    "怎么": ("咋", "怎样", "怎么样", "如何", "点样", "咋样", "怎么着", "点解"),
    "哪里": ("哪儿", "哪", "边度", "边到", "哪边", "何处", "哪个城市", "什么城市", "哪个地方", "什么地方", "哪个省",
             "什么省", "去边", "去咗边", "去了边", "在边", "喺边"),
    "吗": ("么", "嘛"),
    # "is there", A-not-A: the 没有 in it negates nothing ("有没有赠品" asks, "没有赠品" reports)
    "有吗": ("有没有", "有冇", "有木有", "有无", "有没"),
    "没有": ("冇", "没得", "木有", "没", "无"),
    "不": ("唔",),
    "在": ("喺",),
    "了": ("咗",),
    "的": ("嘅",),
    "是": ("系",),
    "给": ("俾", "畀"),
    "能": ("可以", "可不可以", "能不能", "可否", "能否", "能够", "行不行", "得唔得", "得不得", "可唔可以"),
    "多少": ("几钱", "几多",),
    "一起": ("一块儿", "一块", "一齐", "一同", "同时", "一并"),
    # shipping and delivery
    "发货": ("寄送", "运送", "出件", "发出", "寄出", "出库", "寄走", "发走", "出货", "寄货", "发火", "发或", "发出来", "寄出来",
             "发快递", "送出", "揽收", "发了货"),
    "发": ("寄",),
    "退货": ("退货物", "退件"),  # its own notion, not 退 + the goods placeholder
    "收到": ("到货", "到家", "到手", "送到", "送达", "能到", "寄到", "收货"),
    "快递": ("物流", "包裹", "宅配", "快件", "快递包裹", "物流信息", "快递信息", "物流记录", "记录", "轨迹",
             "物流轨迹", "物流详情"),
    "单号": ("快递单号", "运单号", "物流单号", "运单", "运单编号"),
    "顺丰": ("黑猫", "新竹物流", "超商取货", "中通", "圆通", "韵达", "申通", "极兔", "京东快递", "邮政", "ems", "德邦", "百世", "菜鸟",
             "快递公司", "哪家快递"),
    "不动": ("唔郁", "冇郁", "都唔郁", "冇动", "唔动", "没变", "一直没变", "没有变", "不变", "没动", "没有动", "不更新", "没更新", "没有更新", "卡住", "停住", "没动静", "一直不动", "没变化", "没记录",
             "没有记录", "没信息", "没有信息", "停了好几天", "不走", "查不到", "查不了",
           "查不出"),
    "发货地": ("哪里发货", "哪里发的", "发货仓", "仓库在哪", "哪个仓"),
    # coupons, discounts, red packets
    "优惠券": ("优惠码", "折扣码", "折价卷", "优惠卷", "优惠劵", "折价券", "折扣券", "代金券", "抵用券", "券", "卷", "劵", "无门槛",
               "满减券", "大额券", "新人券", "新客券", "店铺券", "平台券", "津贴", "消费券", "红包券"),
    "叠加": ("叠", "叠用", "叠着用", "共用", "叠加使用", "一起用", "同时用", "一起使用", "一起抵", "一起抵扣",
             "一起减", "同时抵"),
    "抵扣": ("抵", "抵用", "抵钱", "抵现", "抵扣金额"),
    "满减": ("满减活动", "满额减"),
    "跨店": ("不同店", "别的店", "其他店", "不同店铺", "别家店", "几家店", "多家店", "跨品牌",
           "别的品牌", "其他品牌", "两个品牌", "两家店"),
    "凑单": ("凑", "拼单", "凑满"),
    "红包": ("红包雨", "利是"),
    "领": ("领取", "获取"),
    # prices
    "价保": ("保价", "价格保护", "退差价", "补差价", "差价"),
    "降价": ("便宜了", "降了", "跌价", "掉价", "变便宜"),
    "价格": ("价", "价钱", "价位", "售价", "到手价", "标价"),
    "最低价": ("全网最低", "最便宜", "最低", "史低", "历史最低", "全网最低价"),
    "旗舰店": ("官旗", "官方店", "官方旗舰店", "自营", "专卖店", "官网", "天猫店", "京东自营",
               "其他平台", "别的平台", "别的直播间",
               # other shops and platforms, whose price is what viewers compare with
               "拼多多", "淘宝", "京东", "唯品会", "抖音商城", "线下店", "超市里"),
    # orders and payment
    "拍": ("买", "购买", "入手", "抢购"),
    "付款": ("结帐", "刷卡", "支付", "付钱", "交钱", "给钱", "结账", "买单", "付费", "付账"),
    "失败": ("俾唔到钱", "俾唔到", "畀唔到", "付唔到", "买唔到", "落唔到单", "闪退", "卡死", "没反应", "报错", "一直转圈", "付不了", "付不出", "拍不了", "下不了单",
             "提交不了", "买不了", "拍不下", "支付不了", "无法下单", "无法支付", "下不了"),
    "先用后付": ("货到付款", "先收货后付款", "收货后付款", "收到再付", "到货付款", "月付",
             "先收货再付", "收货再付", "先用再付", "用了再付", "收货再", "收到再", "到货再", "货到再"),
    "分期": ("分期付款", "分期付", "分几期", "月供"),
    "定金": ("补定金", "订金", "预付款", "预定金", "首款", "定钱"),
    "尾款": ("剩下的", "剩余的", "第二笔款", "第二笔钱", "补尾款", "余款", "剩余款", "二阶段", "第二阶段", "补款", "剩余的款",
           # the second part of a presale price, however it is named
           "剩下的款", "剩下的钱", "剩下的部分", "剩余部分", "剩余的钱"),
    "拍错": ("选错", "点错", "买错", "下错", "拍成", "点成", "选成", "买成", "拍重", "多下了", "下多了", "多下一单", "重复下单", "重复拍",
             "下错单", "拍反", "选反", "多拍了", "拍多了", "多买了", "买多了"),
    "写错": ("填错", "打错", "输错", "写错了", "写反"),
    "地址": ("收货地址", "收件地址", "寄件地址"),
    "收件人": ("收货人", "手机号", "电话号码", "联系电话", "电话", "手机号码", "收件电话"),
    "改": ("修改", "更改", "变更", "改一下"),
    "合并发货": ("合并", "一起发", "一个包裹", "一箱发", "打包发", "一个快递",
                 "一单发", "合单", "合箱"),
    "分开拍": ("分开付", "分两单", "分开下", "两单", "多单"),
    # after-sales
    # cancelling an order is asking for the money back before the goods leave
    "取消订单": ("取消", "撤单", "撤销订单", "退单", "取消下单"),
    "退款": ("退钱", "退费", "钱退"),
    # bare 退 is how viewers say "return it / get money back"; 退回 and 寄回 say the same
    "退": ("退回", "寄回", "退回去", "寄回去", "退回来", "寄回来", "退寄"),
    "到账": ("到帐", "到卡", "原路退回", "回到账户"),
    "退换货": ("退换", "退货退款"),
    "无理由": ("鉴赏期", "七天鉴赏期", "7天鉴赏期", "七天无理由", "7天无理由", "无理由退货", "无条件退"),
    "拆封": ("没拆", "未拆", "没拆封", "未拆封", "没开封", "未开封", "没用过", "没穿过", "没拆开", "全新", "拆开", "拆了", "开封", "试穿", "穿过", "用过", "试用过", "洗过", "穿了", "开过"),
    "不喜欢": ("唔啱", "唔合适", "唔中意", "唔钟意", "不合适", "不满意", "不想要", "不要了", "不中意", "不合身", "不好看"),
    "运费险": ("退货险", "运险", "运费保险", "退货运费险"),
    "运费": ("邮费", "快递费", "寄费", "来回运费", "运费钱", "邮资"),
    "谁出": ("谁付", "谁承担", "谁负责", "自己出", "自己付", "谁给"),
    "拒收": ("拒签", "不签收", "不收", "不要签", "拒收货"),
    "破损": ("破了", "坏了", "碎了", "裂了", "裂开", "裂缝", "压坏", "摔坏", "磕坏", "漏液", "漏了",
             "洒了", "瘪了", "变形", "破", "坏的", "坏", "碎", "裂", "烂了", "瑕疵", "次品", "质量问题",
             "质量有问题", "线头", "开线", "脱线", "起球", "异味", "焦味", "残次",
             "不能用", "不工作", "坏掉", "漏出来", "漏出", "开不了机", "不开机", "充不进电", "充不了电"),
    # Asking whether goods will wear ("会起球吗") is about quality, not a damaged parcel; no item names it.
    "耐用": ("会起球", "容易起球", "起不起球", "会不会起球", "会掉色", "掉不掉色", "会不会掉色", "会褪色",
             "容易坏", "会不会坏", "会变形", "容易变形", "会不会变形", "耐不耐用", "耐穿", "经用"),
    # The stream itself (picture, sound); a stall next to it is the stream's, not a parcel's (see match_text).
    "卡顿": ("画面", "屏幕", "卡屏", "黑屏", "花屏", "直播卡", "直播间卡", "声音卡", "没声音"),
    "漏发": ("不是我买的", "不是我拍的", "不是我要的", "不是我下单的", "跟我买的不一样", "和我买的不一样", "跟我拍的不一样", "少发货", "漏发货", "寄错", "少发", "错发", "发错", "少了一件", "缺件", "少件", "少一件", "少一个", "没发全", "发少了",
             "发漏了", "发成", "少了", "发少", "漏寄", "少寄",
           "只到", "只收到", "只来", "只发"),
    "保修": ("质保", "联保", "包修", "保固", "维修", "修理", "返修", "保修期", "修", "售后保障"),
    # catalog of goods, stock, schedule
    "补货": ("还能补", "会不会补", "还补", "会补", "补不补", "补一波", "返场", "加库存", "补库存", "再上", "复刻", "回归", "再补", "补点",
             "补一点", "补一些", "补一下", "加货", "再来一波",
            # "will there be more" without the word 补
            "还上不上", "还会上", "还会不会上", "还会有", "还会不会有", "还有机会", "还有没有机会", "还能买到",
            "还能抢到", "还能抢"),
    "还有吗": ("仲有冇", "仲有没有", "仲有吗", "仲有", "还有没有", "还有么", "还有不", "还有货吗", "还有货没", "还有的卖吗"),
    "没货": ("售罄", "售空", "卖完", "卖光", "抢光", "抢完", "秒空", "缺货", "断货", "无货", "没库存",
             "没货了", "库存不足"),
    "今天": ("明天", "后天", "大后天", "当天", "明早", "明晚", "今晚", "今早", "这周", "下周", "周末", "月底",
             "这两天", "本周"),
    "双11": ("双十一", "1111", "双十二", "双12", "618", "大促"),
    # the room and its host name no topic: weak words, like the goods placeholder
    "主播": ("主持", "主持人", "主播姐姐", "主播小姐姐", "小姐姐", "小哥哥", "姐妹们", "家人们", "宝子们"),
    "直播间": ("直播", "播间", "本直播间"),
    "下一个": ("之后", "跟住", "跟着", "下个", "下一款", "下一品", "下一件", "接下来", "等下", "等会", "等一下",
               "待会", "一会", "一会儿", "后面", "稍后", "下一场"),
    "节目单": ("预告", "清单", "排期", "上品顺序", "流程", "排品", "品单"),
    "上": ("讲", "讲解", "开讲", "上架", "开卖", "开抢", "介绍", "开始卖", "开始抢"),
    "链接": ("连接", "连结", "链结", "宝贝链接", "商品链接", "小黄车", "黄车", "购物车", "购物袋", "橱窗",
             "车", "购物篮"),
    "几号": ("第几个", "第几", "多少号", "什么号"),
    # gifts, draws, membership
    # bare 送 is the freebie ("买就送", "送什么"); delivery words (送货, 配送, 送到) are longer and win
    "送": ("白送", "免费送", "送给"),
    "赠品": ("赠送", "小样", "试用装", "小礼物", "礼物", "赠", "赠礼", "附赠", "送品", "赠的",
             "伴手礼", "中样"),
    "抽奖": ("抽", "抽签", "开奖", "抽奖品"),
    "福袋": ("福利袋", "幸运袋", "超级福袋"),
    "会员": ("入会", "会籍", "加会员", "开会员", "会员卡"),
    "积分": ("攒积分", "积分值"),
    "兑换": ("换礼品", "换购", "兑", "换小样"),
    "客服": ("人工", "真人", "人工客服", "转人工", "小二", "机器人客服", "机器人", "客服电话", "在线客服"),
    # beauty, food, authenticity, invoices
    "色号": ("哪支", "哪只", "哪一支", "口红色", "什么色"),
    "肤色": ("黄皮", "白皮", "黑皮", "黄黑皮", "黄二白", "黄一白", "冷白皮", "暖皮", "皮肤黑", "偏黑",
             "偏黄", "显白", "显黑", "暗黄", "暗沉", "肤色暗", "皮肤黄"),
    "孕妇": ("孕期", "怀孕", "孕妈", "孕妈妈", "备孕", "孕早期", "孕晚期", "哺乳期", "哺乳", "喂奶", "月子",
             "产后", "孕中期"),
    "小孩": ("宝宝", "儿童", "孩子", "小朋友", "婴儿", "婴幼儿", "幼儿", "小孩子", "小宝宝"),
    "敏感肌": ("敏感皮", "敏皮", "敏感肌肤", "敏感", "敏肌"),
    "过敏": ("刺痛", "泛红", "烂脸", "起痘", "长痘"),
    "保质期": ("有效期", "效期", "保质", "过期日"),
    "生产日期": ("生产时间", "出厂日期", "生产批次", "制造日期", "什么时候生产", "几月生产", "哪年生产",
             "什么时候做", "几月份生产"),
    "临期": ("快过期", "过期"),
    "新鲜": ("新货", "现做", "最近生产", "最新生产", "新鲜度", "刚生产", "最近产", "刚做"),
    "保存": ("储存", "存放", "储藏", "保鲜", "收纳保存", "怎么放", "怎么存"),
    "冷藏": ("冰箱", "冷冻", "冰冻", "冻", "冷藏室", "冷冻室", "冰柜", "冷冻层", "冷藏层"),
    "正品": ("真货", "正货", "行货", "真品", "假货", "假的", "高仿", "仿品", "山寨", "水货", "a货",
             "真的假的", "假冒", "仿的", "正版", "盗版", "保真", "包真",
             "真假"),
    "发票": ("开票", "专票", "普票", "电子发票", "票据", "收据", "报销", "增值税发票"),
    # Countries that are also where goods come from (日本, 韩国 …) are left out: "日本的吗" asks origin.
    "海外": ("国外", "境外", "外国", "香港", "澳门", "台湾", "港澳台", "新加坡", "马来西亚", "大马", "加拿大",
             "北美", "国际", "海外仓"),
    "尺码": ("穿多大", "穿多大码", "穿什么码", "穿几码", "多大码", "穿哪个码", "码数", "码子", "尺寸", "码", "号型", "尺码表", "腰围", "胸围", "臀围", "肩宽", "裤长", "衣长"),
    "体重": ("斤", "公斤", "kg", "体重"),
}

# The first pass folds these groups (function words, dialect); the second pass the domain groups.
FUNCTION_WORDS: frozenset[str] = frozenset(("什么时候", "什么", "怎么", "哪里", "吗", "有吗", "没有", "不", "在", "了", "的",
                                             "是", "给", "能", "多少", "一起"))
# Content words folded in the first pass too, so phrases built on them meet: 一起寄 → 一起发.
FIRST_PASS_WORDS: frozenset[str] = frozenset(("发",))
# Filler dropped from both comments and catalog text, so "几天能发" meets "几天发" and "发了吗" meets "发吗".
FILLER: tuple[str, ...] = ("啊", "呀", "吧", "哦", "啦", "呐", "了", "的", "地", "得", "着", "给", "才", "就",
                           "都", "也", "还", "再", "又", "能", "会", "要", "一下", "来着", "到底", "请问", "已经", "已")
# "几号": before an action it asks a date (→ WHEN_WORD); otherwise it asks which numbered link.
WHICH_LINK, LINK_WORD, WHEN_WORD = "几号", "链接", "什么时候"
# "下一个" folds 后面/等会 too; before a price move those mean "later", and the word is dropped.
NEXT_WORD = "下一个"
# A stall ("卡住", "不动") beside the stream's own words is the stream freezing, not the parcel.
STREAM_WORD, STALL_WORD = "卡顿", "不动"

# Words that contain a shorter variant above but mean something else; they stay as they are.
KEEP: tuple[str, ...] = (
    "什么", "怎么", "那么", "这么", "多么", "要么", "么么哒",
    "联系", "关系", "系列", "系统", "体系",
    "卷发", "卷尺", "春卷", "花卷", "卷饼", "卷纸", "卷心菜", "试卷", "卷翘", "卷曲", "蛋卷",
    "国货", "百货", "杂货", "年货", "尾货", "干货", "吃货", "好货", "订货会",
    "送货", "配送", "送人", "送礼",
    "现货", "头发", "发型", "发质", "护发", "染发", "补水", "补贴", "补妆", "补光", "补钙", "补发",
    "修改", "修复", "修身", "修容", "装修", "修眉", "修饰", "修护",
    "礼盒", "礼袋",
    "抽屉", "抽纸", "抽油烟机", "抽真空", "抽绳",
    "冻干", "果冻", "冻龄", "冻疮",
    "车厘子", "汽车", "车载", "打车", "刹车", "开车", "堵车", "下车", "上车",
    "收费", "不收费", "免费",
    "号码", "密码", "起码", "二维码", "条码", "验证码", "价码", "加码",
    "门槛", "上面", "上次", "上班", "上午", "上周",
    "后天", "后悔", "最后", "然后",
    "无聊", "无语", "无敌",
    "坏处", "破防", "破产",
    "边吃", "边看", "旁边", "身边", "那边", "这边",
    "开心",
)

# Ways viewers write English or abbreviations; maximal Latin runs only, so "sh" inside "shipping"
# never counts. The catalog's own pinyin forms are added per catalog at build time.
LATIN: dict[str, str] = {
    "link": "链接", "links": "链接", "url": "链接",
    "coupon": "优惠券", "coupons": "优惠券", "voucher": "优惠券", "vouchers": "优惠券",
    "ship": "发货", "shipping": "发货", "shipped": "发货", "deliver": "发货", "delivery": "发货",
    "dispatch": "发货",
    "tracking": "快递", "track": "快递", "express": "快递", "parcel": "快递", "package": "快递",
    "refund": "退款", "refunds": "退款", "return": "退", "returns": "退", "exchange": "退换货",
    "size": "尺码", "sizes": "尺码", "sizing": "尺码",
    "xs": "尺码", "s": "尺码", "m": "尺码", "l": "尺码", "xl": "尺码", "xxl": "尺码", "xxxl": "尺码",
    "gift": "赠品", "gifts": "赠品", "freebie": "赠品", "sample": "赠品", "samples": "赠品",
    "nc": "色号", "nw": "色号",  # foundation shade codes (NC20, NW25)
    "color": "色号", "colour": "色号", "shade": "色号", "shades": "色号",
    "invoice": "发票", "receipt": "发票",
    "warranty": "保修", "repair": "保修",
    "fake": "正品", "authentic": "正品", "genuine": "正品", "original": "正品",
    "restock": "补货", "soldout": "没货",
    "next": "下一个",
    "member": "会员", "membership": "会员", "vip": "会员", "points": "积分",
    "price": "价格", "cheaper": "便宜",
    "pdd": "旗舰店", "jd": "旗舰店", "tb": "旗舰店", "taobao": "旗舰店",
    "pay": "付款", "payment": "付款",
    "address": "地址",
    "overseas": "海外", "abroad": "海外", "hk": "海外", "hongkong": "海外", "taiwan": "海外",
    "singapore": "海外", "malaysia": "海外",
    "sf": "顺丰",
    "when": "什么时候", "how": "怎么", "where": "哪里", "what": "什么", "can": "能",
    "service": "客服", "cs": "客服", "customerservice": "客服", "agent": "客服", "human": "客服", "staff": "客服",
    "contact": "客服",
    "arrive": "收到", "arrived": "收到", "arrival": "收到", "receive": "收到", "received": "收到",
    "broken": "破损", "damaged": "破损", "damage": "破损", "defective": "破损", "cracked": "破损", "leaking": "破损",
    "cancel": "取消订单", "cancelled": "取消订单", "canceled": "取消订单", "moneyback": "退款",
    "discount": "优惠券", "discounts": "优惠券", "promo": "优惠券", "promocode": "优惠券", "code": "优惠券",
    "stock": "补货", "instock": "补货", "available": "补货", "sold": "没货",
    "courier": "顺丰", "carrier": "顺丰", "send": "发货", "sent": "发货", "ships": "发货",
    "missing": "漏发", "lost": "漏发", "incomplete": "漏发",
    "deposit": "定金", "balance": "尾款", "finalpayment": "尾款",
    "luckybag": "福袋", "draw": "抽奖", "lottery": "抽奖", "giveaway": "抽奖", "prize": "抽奖",
    "redpacket": "红包", "redenvelope": "红包", "hongbao": "红包",
    "flagship": "旗舰店", "official": "旗舰店", "shop": "旗舰店",
    "expire": "保质期", "expiry": "保质期", "expiration": "保质期", "expired": "临期", "shelflife": "保质期",
    "fresh": "新鲜", "fridge": "冷藏", "freezer": "冷藏", "refrigerate": "冷藏", "storage": "保存", "keep": "保存",
    "pregnant": "孕妇", "pregnancy": "孕妇", "breastfeeding": "孕妇", "sensitive": "敏感肌", "baby": "小孩",
    "kids": "小孩", "child": "小孩",
    "combine": "合并发货", "together": "一起", "insurance": "运费险", "postage": "运费", "whopays": "谁出",
    "refuse": "拒收", "reject": "拒收", "installment": "分期", "installments": "分期", "paylater": "先用后付",
    "failed": "失败", "fail": "失败", "error": "失败", "change": "改", "modify": "改", "edit": "改",
    "phone": "收件人", "redeem": "兑换", "real": "正品", "legit": "正品", "counterfeit": "正品",
    "cheap": "价格", "expensive": "价格", "howmuch": "多少", "howlong": "什么时候", "why": "怎么",
    "whats": "什么", "wheres": "哪里", "hows": "怎么", "whens": "什么时候", "wat": "什么", "wen": "什么时候",
    "not": "没有", "hasnt": "没有", "havent": "没有", "didnt": "没有", "isnt": "没有", "doesnt": "没有",
    "never": "没有", "yet": "还", "moved": "动", "move": "动", "moving": "动", "updated": "更新", "update": "更新",
    "stuck": "不动",
    "which": "什么", "dontlike": "不喜欢", "dislike": "不喜欢", "notfit": "不喜欢", "ma": "吗", "ne": "呢",
    "trackingnumber": "单号", "trackingno": "单号",
    "cm": "尺码", "tall": "尺码", "height": "尺码", "weight": "体重", "fit": "尺码",
}

# English words that carry no topic; a Latin run made of known words and these still reads ("where is my
# parcel" → 哪里 快递). They vanish from the tokens.
LATIN_STOP: frozenset[str] = frozenset((
    "a", "i", "is", "are", "am", "was", "were", "be", "been", "my", "me", "mine", "you", "your", "it", "its", "this",
    "that", "these", "those", "the", "an", "to", "of", "for", "in", "on", "at", "by", "with", "from", "do", "does",
    "did", "will", "would", "could", "should", "we", "our", "they", "there", "here", "have", "has", "had", "get",
    "got", "any", "some", "still", "please", "pls", "plz", "and", "or", "if", "so", "up", "out", "about",
    "item", "items", "number", "order", "ordered", "orders", "product", "products", "one", "ones", "many", "much", "long",
    "now", "today", "soon", "time", "back", "again", "more", "no", "yes", "ok", "hi", "hello", "hey",
    "guys", "sis", "dear", "thanks", "thank", "thx", "too", "very", "just", "also", "only", "use", "used", "if", "dont", "like", "free", "ah", "lah",
    "leh", "la", "meh", "hor", "loh", "ya", "oh", "eh", "le", "de",
))

# Names of goods: they say which product, never which question, so they fold to one placeholder
# and an item that happens to use "面膜" in an example does not claim every comment about masks.
GOODS: tuple[str, ...] = (
    "面膜", "面霜", "乳液", "精华", "精华液", "水乳", "爽肤水", "眼霜", "洗面奶", "防晒", "防晒霜", "口红",
    "唇釉", "唇膏", "粉底", "粉底液", "气垫", "散粉", "眼影", "睫毛膏", "香水", "卸妆水", "护手霜",
    "衣服", "裤子", "裙子", "连衣裙", "外套", "羽绒服", "卫衣", "毛衣", "衬衫", "t恤", "鞋", "鞋子",
    "袜子", "内衣", "帽子", "包包",
    "零食", "坚果", "牛排", "酸奶", "牛奶", "咖啡", "茶叶", "饼干", "巧克力", "月饼", "水果",
    "锅", "锅具", "炒锅", "平底锅", "枕头", "被子", "四件套", "毛巾", "收纳盒", "保温杯",
    "吹风机", "电吹风", "空气炸锅", "扫地机", "扫地机器人", "洗碗机", "咖啡机", "加湿器", "电动牙刷",
    "东西", "宝贝", "产品", "物品", "货品", "货",
    "洗发水", "护发素", "发膜", "沐浴露", "身体乳", "破壁机", "榨汁机", "电饭煲", "卷发棒", "直发器", "剃须刀", "按摩仪",
)
GOODS_TOKEN = "商品"
# Canonical words that say where or who, never what is asked: weighed like question frame.
WEAK_WORDS = frozenset((GOODS_TOKEN, "主播", "直播间", "今天"))

# Characters that frame a question but name no topic: a catalog term made only of them is weak
# evidence (every item has a "什么时候" or "怎么办"), though it still separates close items.
FRAME_CHARS = frozenset(
    "什么时候怎哪里吗呢吧啊呀了的是能会要有没不可以多久少几号天个一这那我你他们还都就再也又在给把被"
    "想请问下办啥咋么儿去来到说看用做弄好行对吧哦嘛吖"
)
