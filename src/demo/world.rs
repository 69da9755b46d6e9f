//! The made-up but plausible Nanan world the simulator plays in: the five theme
//! communities of the seed report, their weekly programmes, where and what their
//! residents report, and who handles it. Pure data, so the story lives in one place.

use jiff::civil::Weekday::{self, Friday, Monday, Saturday, Sunday, Thursday, Tuesday, Wednesday};

/// A recurring activity on a community's weekly programme.
pub struct Session {
    pub weekday: Weekday,
    pub hour: i8,
    pub minute: i8,
    pub category: &'static str,
    /// The event type of the dictionary (`lecture`, `activity`, …).
    pub kind: &'static str,
    pub title: &'static str,
    /// Usual attendance (person-times), lowest and highest.
    pub size: (i64, i64),
}

/// The type of a session, by what its title says it is.
const fn kind_of(title: &str) -> &'static str {
    let t = title.as_bytes();
    // Titles are fixed below; a const fn cannot use str methods, so compare bytes.
    if ends_with(t, "讲堂".as_bytes()) || ends_with(t, "讲座".as_bytes()) {
        "lecture"
    } else if ends_with(t, "议事会".as_bytes()) || ends_with(t, "调解会".as_bytes()) {
        "meeting"
    } else if ends_with(t, "课".as_bytes()) || ends_with(t, "课堂".as_bytes()) || ends_with(t, "班".as_bytes()) {
        "training"
    } else if ends_with(t, "义诊".as_bytes()) || ends_with(t, "接待日".as_bytes()) || ends_with(t, "义修".as_bytes()) {
        "service"
    } else {
        "activity"
    }
}

const fn ends_with(s: &[u8], tail: &[u8]) -> bool {
    if tail.len() > s.len() {
        return false;
    }
    let mut i = 0;
    while i < tail.len() {
        if s[s.len() - tail.len() + i] != tail[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// One theme community and the habits that make its figures look like it.
pub struct Community {
    pub id: &'static str,
    /// Short key, the prefix of its residents' opaque person ids.
    pub key: &'static str,
    pub name: &'static str,
    /// Relative share of the district's tickets.
    pub weight: u32,
    /// Tickets reported on an ordinary day, lowest and highest.
    pub daily_tickets: (i64, i64),
    /// Ticket categories and their relative frequency: the theme shows here.
    pub categories: &'static [(&'static str, u32)],
    /// Relative share of tickets per grid g01…g04: every community has a hot spot.
    pub grids: [u32; 4],
    pub places: &'static [&'static str],
    /// Weekly programme; the first session is the one the live demo opens with.
    pub programme: &'static [Session],
    /// Size of the resident pool that checks in; the first `regulars` never miss much.
    pub residents: u32,
    pub regulars: u32,
}

const fn s(weekday: Weekday, hour: i8, minute: i8, category: &'static str, title: &'static str, size: (i64, i64)) -> Session {
    Session {
        weekday,
        hour,
        minute,
        category,
        kind: kind_of(title),
        title,
        size,
    }
}

pub static COMMUNITIES: [Community; 5] = [
    Community {
        id: "nanan.changshengqiao.tongjing",
        key: "tongjing",
        name: "同景社区",
        weight: 3,
        daily_tickets: (5, 9),
        categories: &[
            ("street_light", 3),
            ("garbage", 3),
            ("parking", 3),
            ("noise", 2),
            ("water", 2),
            ("greening", 2),
            ("road", 1),
            ("dispute", 1),
        ],
        grids: [3, 2, 4, 2],
        places: &[
            "同景社区党群服务中心",
            "健康集市",
            "同景路菜市场",
            "区第三人民医院旁",
            "同景花园5栋",
            "长生桥镇同景路",
        ],
        programme: &[
            s(Tuesday, 14, 0, "health", "健康大讲堂", (80, 140)),
            s(Monday, 19, 30, "dance", "社区艺术团扇子舞排练", (15, 30)),
            s(Wednesday, 9, 30, "calligraphy", "书法绘画班", (12, 25)),
            s(Wednesday, 15, 0, "health", "老年健康讲座", (30, 60)),
            s(Thursday, 9, 30, "health", "慢病管理讲座", (40, 70)),
            s(Thursday, 19, 30, "dance", "广场舞", (20, 40)),
            s(Friday, 9, 0, "health", "名中医义诊", (25, 50)),
            s(Saturday, 15, 0, "choir", "舞蹈合唱", (15, 35)),
            s(Sunday, 9, 30, "health", "家庭医生健康讲座", (50, 100)),
        ],
        residents: 1200,
        regulars: 30,
    },
    Community {
        id: "nanan.nanping.zhengjie",
        key: "zhengjie",
        name: "正街社区",
        weight: 4,
        daily_tickets: (7, 12),
        categories: &[
            ("garbage", 6),
            ("parking", 6),
            ("noise", 4),
            ("vending", 3),
            ("street_light", 2),
            ("road", 2),
            ("dispute", 1),
        ],
        grids: [2, 5, 3, 2],
        places: &["超级80街", "黄葛晚渡", "绿皮火车", "小人书摊", "露天电影院", "南坪关遗址"],
        programme: &[
            s(Saturday, 19, 30, "culture", "露天电影", (40, 80)),
            s(Sunday, 10, 0, "culture", "小人书分享会", (10, 25)),
            s(Wednesday, 15, 0, "culture", "老重庆手艺课", (12, 25)),
            s(Friday, 19, 0, "dance", "坝坝舞", (20, 45)),
        ],
        residents: 300,
        regulars: 15,
    },
    Community {
        id: "nanan.danzishi.qunhuicun",
        key: "qunhuicun",
        name: "群慧村社区",
        weight: 3,
        daily_tickets: (5, 9),
        categories: &[
            ("facility", 4),
            ("parking", 3),
            ("street_light", 2),
            ("garbage", 2),
            ("noise", 2),
            ("water", 2),
        ],
        grids: [2, 2, 2, 4],
        places: &["群慧村智能化小区东门", "弹子石老街", "群慧村3号楼", "快递驿站", "群慧村停车场"],
        programme: &[
            s(Tuesday, 19, 30, "digital", "长者智能手机课堂", (12, 30)),
            s(Thursday, 19, 0, "council", "智慧社区议事会", (10, 20)),
            s(Saturday, 10, 0, "youth", "亲子编程体验", (15, 30)),
        ],
        residents: 260,
        regulars: 12,
    },
    Community {
        id: "nanan.nanpingzhen.xinglong",
        key: "xinglong",
        name: "兴隆社区",
        weight: 5,
        daily_tickets: (9, 15),
        categories: &[
            ("dispute", 7),
            ("noise", 3),
            ("garbage", 3),
            ("water", 2),
            ("street_light", 2),
            ("road", 2),
            ("parking", 2),
        ],
        grids: [5, 2, 2, 3],
        places: &[
            "兴隆苑小区",
            "兴隆苑小区三角梅花坛",
            "兴隆社区便民服务站",
            "兴隆苑7栋",
            "南坪镇兴隆路",
        ],
        programme: &[
            s(Friday, 14, 30, "mediation", "“老辈子”矛盾调解会", (10, 25)),
            s(Monday, 9, 30, "legal_aid", "法律援助接待日", (15, 35)),
            s(Wednesday, 15, 0, "legal_aid", "普法讲座", (25, 50)),
            s(Sunday, 19, 30, "dance", "坝坝舞", (20, 40)),
        ],
        residents: 500,
        regulars: 20,
    },
    Community {
        id: "nanan.huayuanlu.jinyan",
        key: "jinyan",
        name: "金堰社区",
        weight: 3,
        daily_tickets: (6, 10),
        categories: &[
            ("street_light", 5),
            ("garbage", 5),
            ("parking", 5),
            ("road", 2),
            ("water", 2),
            ("greening", 1),
            ("dispute", 1),
        ],
        grids: [3, 3, 4, 2],
        places: &["金堰新村2栋", "金堰路口", "社区公共停车位", "邻里共享空间", "金堰社区老旧散小区"],
        programme: &[
            s(Tuesday, 15, 0, "council", "“和家”居民议事会", (12, 25)),
            s(Thursday, 9, 0, "calligraphy", "书法班", (10, 20)),
            s(Saturday, 9, 0, "volunteer", "邻里义剪义修", (20, 40)),
        ],
        residents: 280,
        regulars: 15,
    },
];

/// What residents say when they report a ticket of `category`.
pub fn descriptions(category: &str) -> &'static [&'static str] {
    match category {
        "street_light" => &["路灯不亮，夜间出行不安全", "楼道灯坏了好几天", "路灯白天长亮"],
        "garbage" => &["垃圾桶满溢未清运", "楼下堆放建筑垃圾", "夜宵摊收摊后垃圾未清理"],
        "parking" => &["车辆占用消防通道", "人行道乱停车", "共享单车堆放堵路"],
        "noise" => &["夜间装修噪音扰民", "广场舞音响过大", "夜宵店深夜喧哗"],
        "dispute" => &["楼上漏水引发邻里纠纷", "相邻通行纠纷需调解", "物业费纠纷", "宠物扰邻纠纷"],
        "water" => &["水管爆裂漏水", "小区停水未通知", "下水道堵塞反味"],
        "road" => &["人行道地砖松动", "路面坑洼积水", "梯坎破损"],
        "greening" => &["行道树枝遮挡路灯", "绿化带杂草丛生", "黄葛树倾斜存在隐患"],
        "vending" => &["占道经营影响通行", "流动摊贩堵塞路口"],
        "facility" => &["单元门禁故障", "电梯故障需检修", "智能快递柜无法开启"],
        _ => &["居民反映问题"],
    }
}

/// Grid display names, in the order of `.g01` … `.g04` (as deploy/nanan-scopes.json names them).
#[cfg(test)]
pub const GRID_NAMES: [&str; 4] = ["第一网格", "第二网格", "第三网格", "第四网格"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_session_has_the_type_its_title_says() {
        let kind = |title: &str| {
            COMMUNITIES
                .iter()
                .flat_map(|c| c.programme)
                .find(|s| s.title == title)
                .map(|s| s.kind)
        };
        assert_eq!(kind("健康大讲堂"), Some("lecture"));
        assert_eq!(kind("普法讲座"), Some("lecture"));
        assert_eq!(kind("名中医义诊"), Some("service"));
        assert_eq!(kind("“和家”居民议事会"), Some("meeting"));
        assert_eq!(kind("长者智能手机课堂"), Some("training"));
        assert_eq!(kind("坝坝舞"), Some("activity"));
    }
}
