"""The demo township's 2023 report reads like the reference, on the page and in the Word file."""
import io
import re

import docx
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadres.models import Person, ReserveCadre, StageChange, Talent
from committee.models import Bulletin, Problem, WorkEvent
from economy.models import Alliance, IncomeRecord, IndustryProject
from reports.figures import compute_figures
from reports.models import ReportItem
from study.models import StudyActivity
from township.models import User
from villages.models import Township, VillageMonth

pytestmark = pytest.mark.django_db

# What the reference states, as the product must write it, paragraph by paragraph (where the reference masks a
# village or the township with *, the demo's names; people counted with 名).
REFERENCE_PHRASES = [
    # （一）一是抓实学习教育
    "研究制定《示范镇2023年党委理论学习中心组学习计划》和《示范镇2023年干部理论学习计划》",
    "党委理论学习中心组5次", "研讨交流2次", "运用夜校、干部晨会、“8090”课堂、三会一课、主题党日等",
    "集中学习260余次", "专题研讨20余次", "心得体会80余篇", "廉政警示教育基地参观学习400余人", "“送学”20多人次",
    "成功举办“学习二十大 奋进新征程”知识竞赛、“学习二十大 奋进新征程”朗诵比赛",
    "实施“二维码+”教育模式，设立“码上学习”", "将码上学习设置在集市、商超、村部等地点，拓宽干部群众线上学习维度",
    "常态化开展“支部书记讲党课”、“千场党课下基层”、微党课视频制作",
    # （一）二是坚持学用结合
    "召开“四强”能力作风建设年活动启动会", "制定《示范镇“强素质强服务强担当强斗志”能力作风建设年活动方案》",
    "细化任务清单", "镇村查摆问题170余条", "实施“挂图作战”", "开展“四强”能力作风建设年观摩评比活动",
    "推送13期工作专报、12次一周工作预览、200余条工作信息",
    # （二）一是压实党建责任
    "组织召开2023年基层党建工作安排部署会", "镇党委书记对全年基层党建工作进行安排",
    "印发《示范镇2023年基层党建工作要点》《示范镇2023年组织工作任务清单》《示范镇实施基层党建提质增效任务清单》",
    "健全落实月度指导、季度调度、半年交叉督查工作机制",
    # （二）二是着力壮大村集体经济
    "印发《示范镇2023年村级集体经济工作任务》，明确各村全年村级集体经济目标任务", "试点开展“党建共同体”工作",
    "江南村、潘昶村等7个村发展设施蔬菜、青贮饲草、草莓采摘产业",
    "红星村党支部经营31栋设施温棚，带动40余名移民务工就业",
    "联星村党支部带领党员种植螺丝菜140亩，促进村集体经济突破100万元",
    "通昌村种植巨菌草100亩，增加村集体经济30余万元，促进群众增收8000元以上",
    # （二）三是培育乡村振兴后备力量
    "充实“四个一批”人才队伍，每村一名大学生担任乡村振兴专干，培育产业带头人59名，产业带头人培养对象71名，"
    "吸纳2名本镇大学生到村工作，指导新华村、永宁村各补选支部委员1名",
    "制定《示范镇村级“金种子”工程实施办法（试行）》，完成村书记后备人才储备工作",
    "为12名后备干部建立“育苗档案”", "指导培育村级后备干部51名", "举办镇村干部能力素质提升培训班",
    "积极分子31名", "吸收预备党员5名", "转正党员3名", "全年预计吸收12名预备党员（其中35岁以下9名）",
    # 二、亮点工作: the staff's highlight first, then the alliances and the talent base
    "1.打造抓党建促乡村振兴示范基地", "2.开展党建共同体试点工作。组建江南村文旅产业发展联盟",
    "深入挖掘江南大集、牡丹花乡、江南堡老街等品牌价值",
    "依托“国家精品自然教育基地”、“全国林草科普示范基地”等品牌效应", "“支部+企业+院校+人才”模式",
    "联星村“一带双强四提升”党建共同体", "景沃佳禾农业科技有限公司、新起点现代农业设备有限公司等企业",
    "“支部+合作社+企业+基地+农户”模式", "红星村乡村振兴产业发展联盟",
    "依托乡村振兴产业园31栋温棚、便民市场、馓子工厂、帮扶车间等产业", "与自然之星农业科技有限公司等企业扩大合作",
    "“支部+合作社+企业+移民”模式", "3.打造乡村振兴人才实训基地。投入70万元建设乡村振兴人才实训基地，面积158平方米",
    # 三、存在的问题
    "一是党员教育管理有待加强", "全镇12个村，村集体经济最高的200万元，最低的25万元", "四是基层干部素质有待提高",
    # 四、下一步措施
    "力争潘昶村晋为五星级党组织，江南村、联星村、银光村晋为四星级党组织，通昌村晋为三星级党组织",
    "三星级及以上党组织达到90%以上，四星级及以上达到75%以上，五星级达到25%", "每村储备年轻后备干部3名以上",
    "村集体经济保持1300万元以上，百万村达7个以上，两百万元村2个以上",
]
# The changes against 2022 the text states (headline figures only).
CHANGES = ["集中学习260余次，较上年增长13.9%", "镇村查摆问题170余条，较上年增长14.5%",
           "全镇村集体经济总收入1363万元，较上年增长17.5%", "百万村由上年的5个增加到7个", "两百万元村2个，实现零的突破",
           "吸收预备党员5名，较上年增加1名"]
# What no body of a report may say: a clause on no data or on a zero.
FORBIDDEN = [re.compile(pattern) for pattern in (r"暂无记录", r"(?<![\d.])0个", r"(?<![\d.])0名", r"(?<![\d.])0次",
                                                 r"(?<![\d.])0\.0%")]

COUNTED = [Person, StageChange, ReserveCadre, Talent, IncomeRecord, IndustryProject, Alliance, StudyActivity,
           Problem, Bulletin, WorkEvent, VillageMonth, ReportItem]


@pytest.fixture
def demo(demo_township):
    return demo_township


def _plain(html):
    import re

    return re.sub(r"<[^>]+>", "", html)


def test_demo_is_idempotent(demo):
    counts = [model.objects.count() for model in COUNTED]
    call_command("load_demo", stdout=io.StringIO())
    assert [model.objects.count() for model in COUNTED] == counts
    assert IncomeRecord.objects.filter(year=2023).exists() and IncomeRecord.objects.filter(year=2022).exists()


def test_demo_figures_are_the_references(demo):
    figures = {k: f["value"] for k, f in compute_figures(demo, 2023).items()}
    assert figures["villages.count"] == 12
    assert figures["study.concentrated_sessions"] == 263
    assert figures["study.essays"] == 83
    assert figures["members.activists"] == 31
    assert figures["members.new_probationary"] == 5
    assert figures["members.converted"] == 3
    assert figures["economy.income_max"]["amount"].startswith("200")
    assert figures["economy.income_min"]["amount"].startswith("25")
    assert figures["economy.villages_over_1m"] == 7 and figures["economy.villages_over_2m"] == 2
    assert figures["submissions.reporting_rate"] == 95.8
    previous = {k: f["value"] for k, f in compute_figures(demo, 2022).items()}
    assert previous["study.concentrated_sessions"] == 231 and previous["economy.income_total"] is not None


def test_demo_page_and_docx_state_the_references_figures(demo, client):
    client.force_login(User.objects.get(username="staff"))
    page = _plain(client.get("/reports/2023/").content.decode())
    content = client.get("/reports/2023/report.docx").content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    for phrase in REFERENCE_PHRASES + CHANGES:
        assert phrase in page, phrase
        assert phrase in text, phrase
    assert "一是党员教育管理有待加强" in text and "四是基层干部素质有待提高" in text


def report_body(client, year=2023):
    """(the report's text as the page renders it, the text of its Word file)."""
    html = client.get(f"/reports/{year}/").content.decode()
    # The headings and paragraphs of the report itself (not the data suggestions or the edit boxes beside them).
    page = "\n".join(_plain(block) for block in re.findall(
        r'<(?:h3 class="h1"|p class="report-para[^"]*")>(.*?)</(?:h3|p)>', html, re.S))
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(
        client.get(f"/reports/{year}/report.docx").content)).paragraphs)
    return page, word


def segments_of(document):
    return [segment for section in document["sections"] for part in section["parts"]
            for paragraph in part["paragraphs"] for segment in paragraph["segments"]]


def test_the_text_states_one_number_of_open_problems(demo, client):
    client.force_login(User.objects.get(username="leader"))  # the text as leaders read it: no edit boxes
    response = client.get("/reports/2023/")
    stated = {s["text"] for s in segments_of(response.context["document"]) if s["key"] == "township.problems_open"}
    assert stated == {"30条"}
    page, word = report_body(client)
    for text in (page, word):
        # Nothing else to subtract from: no count of rectified problems beside the open ones.
        assert re.findall(r"(\d+)条问题", text) == ["30"] and "已整改" not in text


@pytest.mark.parametrize("who", ["demo", "empty"])
def test_no_clause_on_a_zero_or_a_missing_figure(demo, client, who):
    if who == "empty":
        empty = Township.objects.create(name="空白镇")
        client.force_login(User.objects.create_user("empty_leader", password="x" * 10, role="leader", township=empty))
    else:
        client.force_login(User.objects.get(username="leader"))
    page, word = report_body(client)
    for text in (page, word):
        found = [pattern.pattern for pattern in FORBIDDEN if pattern.search(text)]
        assert not found, (found, text)
    if who == "empty":  # said once, plainly
        assert page.count("本年度尚无工作记录。") == 1 and word.count("本年度尚无工作记录。") == 1
        assert "（一）强化政治建设" not in page


def test_no_sentence_pattern_is_repeated_within_a_paragraph(demo, client):
    from reports.wording import repeated_patterns

    client.force_login(User.objects.get(username="staff"))
    document = client.get("/reports/2023/").context["document"]
    paragraphs = ["".join(s["text"] for s in p["segments"]) for section in document["sections"]
                  for part in section["parts"] for p in part["paragraphs"]]
    assert len(paragraphs) > 10
    repeated = {text[:20]: repeated_patterns(text) for text in paragraphs if repeated_patterns(text)}
    assert not repeated


def test_2022_reads_without_rounding_that_understates(demo, client):
    client.force_login(User.objects.get(username="staff"))
    page, word = report_body(client, 2022)
    assert "专题研讨19次" in page and "专题研讨10余次" not in page
    assert "两百万元村" not in page.split("四、下一步措施")[0]  # none in 2022: no "两百万元村0个"


def test_demo_page_query_count_is_bounded(demo, client):
    client.force_login(User.objects.get(username="leader"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/reports/2023/").status_code == 200
    assert len(captured.captured_queries) < 80
