# expect: MI101
# why: End-of-line ignore[MI102] on a one-line certificate login and an ignore[MI104] line above a statement both suppress real findings; MI101 is not suppressed.
Disable-AzContextAutosave -Scope Process | Out-Null

$conn = Get-AutomationConnection -Name 'AzureRunAsConnection'
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint | Out-Null # mimigrate: ignore[MI102]

# mimigrate: ignore[MI104]
Set-AzContext -SubscriptionId $conn.SubscriptionID | Out-Null

# Certificate login kept on purpose until the hybrid worker group gets an identity (CHG-4411)
$gatewayRg = 'rg-onprem-gateway'
$connections = Get-AzVirtualNetworkGatewayConnection -ResourceGroupName $gatewayRg
foreach ($link in $connections) {
    $detail = Get-AzVirtualNetworkGatewayConnection -ResourceGroupName $gatewayRg -Name $link.Name
    if ($detail.ConnectionStatus -ne 'Connected') {
        Write-Warning "VPN connection $($link.Name) is $($detail.ConnectionStatus)"
    }
}
