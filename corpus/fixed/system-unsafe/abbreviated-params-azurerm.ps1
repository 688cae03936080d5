# expect: MI101 MI102 MI401 MI601 MI601 MI601 MI601
# why: AzureRM Login-AzureRmAccount alias with abbreviated parameter names (-Service, -Tenant, -App, -Cert).
Disable-AzureRmContextAutosave -Scope Process | Out-Null
Connect-AzureRmAccount -Identity

$threshold = 80
$since = (Get-Date).AddHours(-1)
$servers = Find-AzureRmResource -ResourceType 'Microsoft.Sql/servers'
foreach ($server in $servers) {
    foreach ($db in Get-AzureRmSqlDatabase -ServerName $server.Name -ResourceGroupName $server.ResourceGroupName) {
        if ($db.DatabaseName -eq 'master') { continue }
        $metric = Get-AzureRmMetric -ResourceId $db.ResourceId -MetricName 'dtu_consumption_percent' `
            -StartTime $since -TimeGrain 00:05:00 -WarningAction SilentlyContinue
        $peak = ($metric.Data | Measure-Object -Property Average -Maximum).Maximum
        if ($peak -gt $threshold) {
            Write-Warning ("{0}/{1} peaked at {2:N0}% DTU" -f $server.Name, $db.DatabaseName, $peak)
        }
    }
}
