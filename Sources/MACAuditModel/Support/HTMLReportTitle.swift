/// The `<title>` of macaudit's HTML report: what tells it, in an exports folder, from the error
/// page of a failed export (both are HTML where JSON is expected).
public enum HTMLReportTitle {
    public static let text = "macaudit report"
}
