# expect: none
# why: Service-principal login with a client secret credential (no certificate thumbprint) is not a Run As certificate login.
Disable-AzContextAutosave -Scope Process | Out-Null

$appCredential = Get-AutomationPSCredential -Name 'ReportingAppSecret'
$tenantId = Get-AutomationVariable -Name 'TenantId'

Connect-AzAccount -ServicePrincipal -Credential $appCredential -Tenant $tenantId | Out-Null

$start = (Get-Date).AddDays(-7).ToString('yyyy-MM-dd')
$end = (Get-Date).ToString('yyyy-MM-dd')
$usage = Get-AzConsumptionUsageDetail -StartDate $start -EndDate $end
$usage | Group-Object -Property InstanceLocation | ForEach-Object {
    $total = ($_.Group | Measure-Object -Property PretaxCost -Sum).Sum
    Write-Output ("{0,-20} {1,10:N2}" -f $_.Name, $total)
}
