// `edupay help` (or --help): the commands and options, in the reader's language.
#include "app/CliContext.h"

namespace edupay::app {
namespace {

constexpr const char* kUsageEn =
    R"(usage: edupay [--db URL] [--key-file FILE] [--json] [--lang zh|en] COMMAND ...

Commands:
  keygen                         create a new field-encryption key file (never overwrites)
  keygen --signing FILE          create the bureau's Ed25519 signing key FILE and FILE.pub
  migrate                        apply database migrations
  import regions FILE            region codes (code, name, parent_code, level)
  import schools FILE            schools (school_code, name, region_code, stages, ownership, bank_code)
  import roll FILE [--dry-run] [--accept-valid] [--report OUT.csv] [--as-of YYYY-MM-DD]
                   [--encoding auto|utf-8|gbk|gb18030]
                                 a school roll; all-or-nothing unless --accept-valid
  student show ID [--reveal]     a student's lifelong record (ID: resident ID or student number)
  student merge OLD NEW --reason R --as USER
                                 the record under OLD takes the corrected identifier NEW
  import roster FILE --source poverty|civil_affairs|disabled|orphan [--dry-run]
                                 an official roster (authoritative household status)
  import nominations FILE --programme P --year YYYY
                                 a scholarship nomination list for an academic year
  policy check FILE              validate a policy file and show what changes against the active one
  policy activate FILE           validate and make a policy file the active one
  policy show [--term T]         the active policy and the rates in force for a term
  entitle --term T [--region CODE] [--dry-run] [--exceptions OUT.csv]
                                 compute the term's entitlements with reasons
  explain ID --term T [--lang zh|en]
                                 every programme a student got or did not get, and why
  report dropouts --term T [--out OUT.csv]
                                 roster children of compulsory-school age on no roll
  report decisions --term T [--status held|excluded] [--region R] --as USER
                                 the decisions that pay nothing, counted by programme and reason
  user add NAME --role ROLE --scope SCOPE [--as ADMIN]
                                 a user (roles: school_admin, school_approver, bureau_officer,
                                 bureau_approver, bank_operator, auditor, sysadmin); the first
                                 one is a sysadmin
  user disable|enable|passwd NAME --as USER;  user list --as USER
  audit verify                   walk the audit hash chain; names the first broken event
  audit log [--user U] [--action A] [--object O] [--from DAY] [--to DAY] [--page N] --as USER
                                 the operation log (操作日志), newest first, with before/after
  batch build --term T --programme P [--region R] --as OFFICER
                                 draft batches per county and bank, split at the bank's line limit
  batch submit|approve ID --as USER;  batch reject ID --reason TEXT --as APPROVER
  batch return-to-draft ID --reason TEXT --as APPROVER
                                 an approved batch that cannot be exported goes back to draft;
                                 its budget commitment is released, a new approval round starts
  batch show ID --as USER
  batch list [--term T] [--status S] [--programme P] [--region R] [--bank CODE] --as USER
  batch payees ID [--search TEXT] [--after SEQ] [--limit N] --as USER
                                 the payees in file order, masked (what the approver checks)
  batch schools ID --as USER     the schools whose notices the batch needs
  batch flags ID --as USER;  batch clear-flag FLAG --reason TEXT --as OFFICER
  batch remove-payment PAYMENT --reason TEXT --as OFFICER   (drafts only)
  budget import FILE --as OFFICER;  budget show [--year YYYY] --as USER
  budget draft --term T [--region R] [--round-up YUAN] [--headroom YUAN] [--out FILE] --as USER
                                 budget lines covering the term's eligible entitlements, per
                                 programme and funding source, in the budget import format
  notice publish --term T --programme P --school CODE [--out DIR] --as USER
                                 the school's public notice (HTML + CSV); 5 working days for objections
  notice publish --all-schools --batch ID [--out DIR] --as USER
                                 the notice of every school the batch pays
  objection add RESIDENT_ID --programme P --term T --text TEXT --as OFFICER
  objection resolve ID --decision upheld|dismissed --reason TEXT --as OFFICER
  objection list [--status open|upheld|dismissed] [--region R] --as USER
  complaint list [--status open|assigned|closed] [--json] --as USER
                                 families' complaints of your region, overdue first
  complaint show ID [--json] --as USER;  complaint report [--json] --as USER
  complaint assign ID --to OFFICER --as OFFICER;  complaint note ID --text TEXT --as OFFICER
  complaint close ID --outcome confirmed|not_confirmed|referred --text TEXT --as OFFICER
  complaint act ID --hold | --flag|--objection --programme P --term T --as OFFICER
                                 a confirmed complaint holds, flags or objects (linked both ways)
  complaint release ID --reason TEXT --as OFFICER   the complaint's holds end
  identify open|apply|assess|decide|notice|object|resolve|file|review|sample|check|show|family|
           county|report ...     the school's identification of needy students (资助对象认定);
                                 `edupay identify` alone lists every step and its options
  batch export ID [--out DIR] --as OFFICER
                                 the approved batch's payment files in its bank's layout, each
                                 with a signed manifest; exporting again writes the same bytes
  batch close ID --as OFFICER     a settled batch whose returned money was all re-issued
  file verify FILE [--public-key PEM]
                                 check a payment file's signature, digest and totals
  bank list;  bank set CODE [--layout L] [--max-lines N] --as SYSADMIN
  bank payer --region R --bank CODE --account N --name NAME --as OFFICER
                                 the bureau account a county pays from at a bank
  bank import-result FILE [--layout pipe-result|pain.002] --as BANK_OPERATOR|OFFICER
                                 the bank's answer: all lines checked first, then paid/returned
  bank returned [--region R] --as USER
                                 the returned-funds ledger (what waits for a corrected account)
  account update --student ID|--payment REF --account N --holder NAME --bank-code CNAPS
                 [--kind K] --as USER
                                 a corrected payee account; returned payments get re-issued
  school account set CODE --account N --bank-code CNAPS [--holder NAME] --as OFFICER
  school account show CODE       the school's basic account, into which fee waivers are paid
  school list [--region R] [--stage S]
                                 schools with the number of students actively enrolled
  reconcile report --term T [--region R] [--csv OUT.csv] --as USER
                                 entitled, approved, at bank, paid, returned, re-issued, outstanding
  synth --students N [--seed S] --out DIR [--single-file] [--as-of YYYY-MM-DD]
                                 write a reproducible synthetic province

Options:
  --db URL        sqlite:PATH (default sqlite:edupay.db, or EDUPAY_DB) or
                  mysql://user:pass@host:port/db (password also from EDUPAY_DB_PASSWORD)
  --key-file F    field-encryption key (default edupay.key, or EDUPAY_KEY_FILE)
  --signing-key F the bureau's signing key (default edupay-signing.pem, or EDUPAY_SIGNING_KEY);
                  --public-key F defaults to F.pub (or EDUPAY_PUBLIC_KEY)
  --layouts DIR   extra bank file layouts (or EDUPAY_LAYOUT_DIR); built-in: templates/banks
  --json          print a machine-readable summary on stdout
  --lang zh|en    the language of the output (default from LANG: Chinese for zh_*)
  --as USER       act as this user (password from EDUPAY_PASSWORD, or typed on stdin); new
                  passwords come from EDUPAY_NEW_PASSWORD or stdin
)";

constexpr const char* kUsageZh =
    R"(用法：edupay [--db 数据库地址] [--key-file 密钥文件] [--json] [--lang zh|en] 命令 ...

命令：
  keygen                         生成新的字段加密密钥文件（从不覆盖已有文件）
  keygen --signing FILE          生成教育局的 Ed25519 签名私钥 FILE 和公钥 FILE.pub
  migrate                        升级数据库结构
  import regions FILE            导入行政区划（code, name, parent_code, level）
  import schools FILE            导入学校（school_code, name, region_code, stages, ownership, bank_code）
  import roll FILE [--dry-run] [--accept-valid] [--report OUT.csv] [--as-of YYYY-MM-DD]
                   [--encoding auto|utf-8|gbk|gb18030]
                                 导入学校的学籍名册；有一行出错即整份不导入，除非加 --accept-valid
  student show ID [--reveal]     学生的终身资助档案（ID：身份证号或学籍号）
  student merge OLD NEW --reason 理由 --as 用户
                                 将证件号 OLD 下的记录更正为 NEW（同一学生的两条记录合并）
  import roster FILE --source poverty|civil_affairs|disabled|orphan [--dry-run]
                                 导入部门比对数据（家庭困难身份以部门数据为准）
  import nominations FILE --programme 项目 --year YYYY
                                 导入某学年的奖学金推荐名单
  policy check FILE              校验政策文件，并列出与已启用政策的差异
  policy activate FILE           校验并启用政策文件
  policy show [--term 学期]      已启用的政策及某学期执行的标准
  entitle --term 学期 [--region 区划] [--dry-run] [--exceptions OUT.csv]
                                 计算本学期的资助资格，每条都有理由
  explain ID --term 学期 [--lang zh|en]
                                 学生每个资助项目享受或不享受的结果及理由
  report dropouts --term 学期 [--out OUT.csv]
                                 部门名单中义务教育年龄、却不在任何学籍名册上的儿童
  report decisions --term 学期 [--status held|excluded] [--region 区划] --as 用户
                                 暂缓与不符合的资格，按项目和理由统计
  user add 用户名 --role 角色 --scope 管辖范围 [--as 管理员]
                                 新增用户（角色：school_admin 学校管理员、school_approver 学校资助审核人、
                                 bureau_officer 教育局经办人员、bureau_approver 教育局审批人员、
                                 bank_operator 银行操作员、auditor 审计人员、sysadmin 系统管理员）；
                                 第一个用户必须是系统管理员
  user disable|enable|passwd 用户名 --as 用户；  user list --as 用户
  audit verify                   逐条校验审计哈希链，指出第一条被改动的事件
  audit log [--user 用户] [--action 操作] [--object 对象] [--from 日期] [--to 日期] [--page N] --as 用户
                                 操作日志，最新的在前，含变更前后
  batch build --term 学期 --programme 项目 [--region 区划] --as 经办人员
                                 按区县和代发银行生成发放批次草稿，超过银行行数上限时拆分
  batch submit|approve ID --as 用户；  batch reject ID --reason 理由 --as 审批人员
  batch return-to-draft ID --reason 理由 --as 审批人员
                                 已审批但无法导出的批次退回草稿；释放占用的预算，重新审批
  batch show ID --as 用户
  batch list [--term 学期] [--status 状态] [--programme 项目] [--region 区划] [--bank 银行代码] --as 用户
  batch payees ID [--search 文字] [--after 序号] [--limit N] --as 用户
                                 按支付文件顺序列出收款人（脱敏），供审批人员核对
  batch schools ID --as 用户      批次涉及、须先公示的学校
  batch flags ID --as 用户；  batch clear-flag 疑点 --reason 理由 --as 经办人员
  batch remove-payment 支付 --reason 理由 --as 经办人员   （仅草稿）
  budget import FILE --as 经办人员；  budget show [--year YYYY] --as 用户
  budget draft --term 学期 [--region 区划] [--round-up 元] [--headroom 元] [--out FILE] --as 用户
                                 按项目和资金来源，生成覆盖本学期应享受金额的预算行（预算导入格式）
  notice publish --term 学期 --programme 项目 --school 学校代码 [--out DIR] --as 用户
                                 学校的公示（HTML + CSV）；公示期 5 个工作日，期间可提出异议
  notice publish --all-schools --batch ID [--out DIR] --as 用户
                                 为批次涉及的每所学校发布公示
  objection add 身份证号 --programme 项目 --term 学期 --text 内容 --as 经办人员
  objection resolve ID --decision upheld|dismissed --reason 理由 --as 经办人员
  objection list [--status open|upheld|dismissed] [--region 区划] --as 用户
  complaint list [--status open|assigned|closed] [--json] --as 用户
                                 本辖区家庭的投诉举报，超期的在前
  complaint show ID [--json] --as 用户；  complaint report [--json] --as 用户
  complaint assign ID --to 经办人员 --as 经办人员；  complaint note ID --text 内容 --as 经办人员
  complaint close ID --outcome confirmed|not_confirmed|referred --text 内容 --as 经办人员
  complaint act ID --hold | --flag|--objection --programme 项目 --term 学期 --as 经办人员
                                 查实的投诉：暂停发放、标记疑点或提出异议（双向关联）
  complaint release ID --reason 理由 --as 经办人员   解除该投诉引起的暂停
  identify open|apply|assess|decide|notice|object|resolve|file|review|sample|check|show|family|
           county|report ...     学校的家庭经济困难学生认定（资助对象认定）；
                                 只输入 `edupay identify` 可列出每一步及其参数
  batch export ID [--out DIR] --as 经办人员
                                 按代发银行的格式导出已审批批次的支付文件，每个文件附签名清单；
                                 再次导出写出完全相同的文件
  batch close ID --as 经办人员     关闭已全部到账、退回资金均已重发的批次
  file verify FILE [--public-key PEM]
                                 校验支付文件的签名、摘要和合计
  bank list;  bank set 银行代码 [--layout 格式] [--max-lines N] --as 系统管理员
  bank payer --region 区划 --bank 银行代码 --account 账号 --name 户名 --as 经办人员
                                 登记区县在该银行的付款账户（资助专户）
  bank import-result FILE [--layout pipe-result|pain.002] --as 银行操作员|经办人员
                                 导入银行回盘：先检查全部行，再记为成功或退回
  bank returned [--region 区划] --as 用户
                                 退回资金台账（等待更正账户后重发的款项）
  account update --student ID|--payment 参考号 --account 账号 --holder 户名 --bank-code 联行号
                 [--kind 账户类型] --as 用户
                                 更正收款账户；退回的支付将重新发放
  school account set 学校代码 --account 账号 --bank-code 联行号 [--holder 户名] --as 经办人员
  school account show 学校代码      学校的基本账户，免学费等资金拨付到此账户
  school list [--region 区划] [--stage 学段]
                                 学校及其在读学生人数
  reconcile report --term 学期 [--region 区划] [--csv OUT.csv] --as 用户
                                 应享受、已审批、银行处理中、已到账、退回、重发、未结清
  synth --students N [--seed S] --out DIR [--single-file] [--as-of YYYY-MM-DD]
                                 生成可重现的模拟省份数据（用于演示和测试）

选项：
  --db URL        sqlite:路径（默认 sqlite:edupay.db，或环境变量 EDUPAY_DB），或
                  mysql://用户:密码@主机:端口/库名（密码也可来自 EDUPAY_DB_PASSWORD）
  --key-file F    字段加密密钥（默认 edupay.key，或 EDUPAY_KEY_FILE）
  --signing-key F 教育局签名私钥（默认 edupay-signing.pem，或 EDUPAY_SIGNING_KEY）；
                  --public-key F 默认为 F.pub（或 EDUPAY_PUBLIC_KEY）
  --layouts DIR   额外的银行文件格式（或 EDUPAY_LAYOUT_DIR）；内置格式见 templates/banks
  --json          在标准输出打印机器可读的结果
  --lang zh|en    输出语言（默认按 LANG 环境变量：zh_* 为中文）
  --as USER       以该用户身份操作（密码来自 EDUPAY_PASSWORD，或从标准输入输入）；
                  新密码来自 EDUPAY_NEW_PASSWORD 或标准输入
)";

}  // namespace

const char* usageText(Lang lang) { return lang == Lang::kZh ? kUsageZh : kUsageEn; }

}  // namespace edupay::app
